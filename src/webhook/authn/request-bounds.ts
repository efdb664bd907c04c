// Bounds on what a caller may ask of the authenticator, well above anything legitimate, so
// hostile input is refused before any work. One place for /authenticate and /verify.

/** Longest credential looked at; svctokens tokens are far shorter. */
export const MAX_TOKEN_LENGTH = 4096;
/** Most audiences one request may ask for. */
export const MAX_AUDIENCES = 32;
/** Longest audience name accepted. */
export const MAX_AUDIENCE_LENGTH = 1024;
