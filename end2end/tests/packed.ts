// Reads protocol 2's packed points (core/src/board/packed.rs) in the tests, written from
// the format's description rather than the Rust code, so it checks the format too:
// numbers in 5-bit groups, one URL-safe base-64 character each (0x20 = more follows);
// flags (1: pressures, 2: first differences) and the count, then per point the second
// (or first) differences of x and y in tenths and the change of pressure in hundredths,
// each zigzag-coded.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `[x, y]` or `[x, y, pressure]` per point, in board units. */
export function unpackPoints(text: string): number[][] {
  let at = 0;
  const natural = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 5) {
      const digit = ALPHABET.indexOf(text[at++]);
      if (digit < 0) throw new Error(`not packed points: ${text}`);
      value += (digit & 0x1f) * 2 ** shift;
      if ((digit & 0x20) === 0) return value;
    }
  };
  const next = (): number => {
    const value = natural();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  };
  const flags = natural();
  const count = natural();
  const [pressured, firstDifferences] = [(flags & 1) !== 0, (flags & 2) !== 0];
  const points: number[][] = [];
  let [x, y, stepX, stepY, pressure] = [0, 0, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    const [changeX, changeY] = [next(), next()];
    stepX = firstDifferences ? changeX : stepX + changeX;
    stepY = firstDifferences ? changeY : stepY + changeY;
    x += stepX;
    y += stepY;
    const point = [x / 10, y / 10];
    if (pressured) {
      pressure += next();
      point.push(pressure / 100);
    }
    points.push(point);
  }
  if (at !== text.length) throw new Error(`text left after the points: ${text}`);
  return points;
}
