// GitOps flow: generate a token on your machine and commit only its hash.
// Usage: npm run --silent new-token > token.txt   (the token alone goes to stdout)
import { generateToken, hashToken } from "../src/tokens/index.ts";

const token = generateToken();
process.stdout.write(`${token}\n`);
process.stderr.write(
  `spec:\n  tokenHash: ${hashToken(token)}\n` +
    "Store the token in your secret manager; commit only the hash.\n",
);
