/** Fresh names per call; the token server accepts ^[A-Za-z0-9_-]{1,64}$. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(length = 10, random: (n: number) => Uint8Array = randomBytes): string {
  let out = '';
  for (const b of random(length)) out += ALPHABET[b % ALPHABET.length];
  return out;
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export function newCallNames(): { room: string; identity: string } {
  return { room: `call-${randomSuffix()}`, identity: `caller-${randomSuffix()}` };
}
