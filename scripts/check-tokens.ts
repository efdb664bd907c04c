// Tells real svctokens tokens from look-alikes, e.g. in the files a secret scanner flagged: a
// scanner's regular expression cannot check the CRC32 checksum; this can.
// Usage: node scripts/check-tokens.ts FILE...     (no FILE: reads standard input)
// Prints `file:line:column` and either `token <tokenId>` (a real token: find its ServiceToken
// by status.tokenId and revoke it) or `not a token (shape|body-too-large|checksum)`. Never
// prints a value. Exit status 1 when a real token was found, 0 otherwise.
import { readFileSync } from "node:fs";
import { findTokenCandidates } from "../src/tokens/index.ts";

const files = process.argv.slice(2);
const inputs = files.length > 0 ? files : ["-"];
let realTokens = 0;
for (const file of inputs) {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  for (const candidate of findTokenCandidates(text)) {
    const verdict = candidate.tokenId
      ? `token ${candidate.tokenId}`
      : `not a token (${candidate.defect})`;
    if (candidate.tokenId) realTokens++;
    process.stdout.write(`${file}:${candidate.line}:${candidate.column}: ${verdict}\n`);
  }
}
process.exitCode = realTokens > 0 ? 1 : 0;
