/** IPv4 CIDR arithmetic for egress rules (validation and the plan). */

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** Whether `outer` contains every address of `inner` (both IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const [outerIp, outerBits] = outer.split('/');
  const [innerIp, innerBits] = inner.split('/');
  if (Number(innerBits) < Number(outerBits)) return false;
  const size = 2 ** (32 - Number(outerBits));
  const start = Math.floor(ipToNumber(outerIp) / size) * size;
  const address = ipToNumber(innerIp);
  return address >= start && address < start + size;
}
