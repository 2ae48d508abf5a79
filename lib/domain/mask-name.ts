// What a sender may see of a recipient before confirming a transfer: enough to notice a wrong
// number ("A. L*******" is not the friend you meant), too little to learn who banks here.

/** "Ada Lovelace" → "A. L*******"; "Plato" → "P****"; blank → "*". */
export function maskName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '*';
  const mask = (word: string) => `${[...word][0]}${'*'.repeat(Math.max([...word].length - 1, 1))}`;
  if (words.length === 1) return mask(words[0]!);
  return `${[...words[0]!][0]}. ${mask(words.at(-1)!)}`;
}
