export * from './objects';
export * from './security';
export * from './storage';
export * from './session';
export * from './scripts';
export * from './chart';
export * from './synth';
