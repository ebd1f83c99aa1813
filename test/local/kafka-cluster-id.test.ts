import { newClusterId } from '../../local/kafka/broker';

// 0xF8 encodes to a leading '-': the storage tool took such an id for an option and CI's local run failed.
test("a cluster id never starts with '-', which kafka-storage would read as an option", () => {
  const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
  let calls = 0;
  const id = newClusterId(() => draws[calls++]);
  expect(calls).toBe(3);
  expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
  expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
  for (let i = 0; i < 2000; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
});
