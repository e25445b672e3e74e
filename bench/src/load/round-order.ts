// The order of the peers in round k: the list rotated by one place per round, so that in every run
// of as many rounds as peers each one runs first once (none always on a warmer or a colder machine).

export function roundOrder<T>(peers: readonly T[], k: number): T[] {
  const shift = (((k - 1) % peers.length) + peers.length) % peers.length;
  return [...peers.slice(shift), ...peers.slice(0, shift)];
}
