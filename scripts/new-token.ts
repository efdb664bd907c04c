// GitOps flow: generate a token on your machine and commit only its hash.
// Usage: npm run --silent new-token > token.txt   (the token alone goes to stdout)
// `kubectl svctokens generate` does the same and creates the ServiceToken too.
import { newClientToken } from "../src/tokens/index.ts";

const token = newClientToken();
process.stdout.write(`${token.value}\n`);
process.stderr.write(
  `spec:\n  tokenHash: ${token.hash}\n` +
    "Store the token in your secret manager; commit only the hash.\n",
);
