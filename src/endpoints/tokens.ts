/**
 * Token estimates where no vendor tokenizer is at hand (the plan's cost, and usage of servers
 * that report none). The rule is DeepSeek's published conversion: one Chinese (CJK) character
 * is about 0.6 token and any other character about 0.3 token. Vocabularies built for Chinese
 * (DeepSeek, Qwen) merge common two-character words into one token, so counting every Han
 * character as a token, or four characters of any script as one, misjudges Chinese text by
 * up to a factor of two; 0.3 per Latin character (3.3 characters a token) errs slightly high
 * for English, which keeps cost estimates on the safe side.
 */
export const CJK_TOKENS_PER_CHAR = 0.6;
export const OTHER_TOKENS_PER_CHAR = 0.3;

const CJK = /[\u2e80-\u2fdf\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[\ud840-\ud87f][\udc00-\udfff]/g;

export function estimateTokens(text: string): number {
  if (text === '') return 0;
  let cjk = 0;
  let cjkUnits = 0;
  for (const match of text.matchAll(CJK)) {
    cjk++;
    cjkUnits += match[0].length;
  }
  return Math.max(1, Math.ceil(cjk * CJK_TOKENS_PER_CHAR + (text.length - cjkUnits) * OTHER_TOKENS_PER_CHAR));
}
