import fc from 'fast-check';
import { forEachLine, splitLines } from '../../lambda/shared/lines';

describe('line splitting', () => {
  test.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\nb', ['a', 'b']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\rb\r', ['a', 'b']],
    ['a\r\r\nb', ['a', 'b']],
    ['\n\n\r\n\r', []],
    ['x\n\ny\r\n\r\nz', ['x', 'y', 'z']],
    [' \t ', [' \t ']],
  ])('%j → %j', (text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });

  test('indexes count non-empty lines only; the count is returned', () => {
    const seen: [string, number][] = [];
    expect(forEachLine('a\n\nb\r\rc', (line, index) => seen.push([line, index]))).toBe(3);
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  test('agrees with a regex split for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' ', 'é'), maxLength: 60 }), (text) => {
        expect(splitLines(text)).toEqual(text.split(/\r\n|\r|\n/).filter((line) => line.length > 0));
      }),
      { numRuns: 2000 },
    );
  });
});
