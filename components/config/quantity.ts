/**
 * Kubernetes resource quantities ("500m", "2Gi", "1.5"), parsed just far enough to validate them
 * and to add up a team's requests against its quota.
 */
const QUANTITY = /^([+]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** The quantity's value in base units (cores, bytes). Throws on an invalid quantity. */
export function parseQuantity(value: string): number {
  const match = QUANTITY.exec(value);
  if (!match) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(value)}`);
  const [, number, exponent, suffix] = match;
  const base = Number(number);
  if (exponent) return base * 10 ** Number(exponent.slice(1));
  return base * SUFFIX[suffix ?? ''];
}
