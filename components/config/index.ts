export * from './schema';
export * from './names';
export * from './plan';
export * from './problems';
export * from './validate';
export * from './load';
export { isQuantity, parseQuantity } from './quantity';
export { normalise } from './normalise';
