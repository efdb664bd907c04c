// Token-shaped strings in a text, each told apart: a real token (its public token id) or a
// look-alike (what is wrong with it). For triaging secret-scanner findings: a scanner's regular
// expression cannot recompute the checksum, this can, and it never returns a value.
import { hashToken, tokenIdFromHash } from "./hash.ts";
import { TOKEN_PREFIX, tokenDefect, type TokenDefect } from "./token.ts";

/** One `svct_…` run found in a text; 1-based line and column of its first character. */
export type TokenCandidate = {
  line: number;
  column: number;
} & ({ tokenId: string; defect?: never } | { defect: TokenDefect; tokenId?: never });

/**
 * The prefix and the whole run of base62 characters after it, so that a longer or shorter
 * look-alike is one candidate with a defect rather than a token cut out of it.
 */
const CANDIDATE = new RegExp(`${TOKEN_PREFIX}[0-9A-Za-z]*`, "g");

/** Every candidate in the text, in order; real tokens carry their token id, never the value. */
export function findTokenCandidates(text: string): TokenCandidate[] {
  const candidates: TokenCandidate[] = [];
  text.split("\n").forEach((lineText, index) => {
    for (const match of lineText.matchAll(CANDIDATE)) {
      const where = { line: index + 1, column: match.index + 1 };
      const defect = tokenDefect(match[0]);
      candidates.push(
        defect ? { ...where, defect } : { ...where, tokenId: tokenIdFromHash(hashToken(match[0])) },
      );
    }
  });
  return candidates;
}
