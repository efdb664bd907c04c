// How the controller's caches pack what they hold per token (packed-object.ts): its
// ServiceToken, delivery Secret and hash record, each one array of values behind a shared shape,
// the values in their smallest exact form (value-codecs.ts). Reads rebuild equal objects.
import { MANAGED_BY_LABEL_KEY } from "../api/index.ts";
import { ObjectPacker } from "../k8s/packed-object.ts";
import { BASE64_BYTES, DECIMAL_STRING } from "../k8s/value-codecs.ts";

/**
 * ServiceTokens: the condition's type, status and reason and the phase are a handful of values,
 * kept in the shape; resourceVersions as numbers. Times stay strings: formatting four on every
 * read (~1.6 µs each) made a read 4× dearer, and they are pooled (the same second is one string).
 */
export function tokenPacker(): ObjectPacker {
  return new ObjectPacker(["apiVersion", "kind", "type", "status", "reason", "phase"], {
    resourceVersion: DECIMAL_STRING,
  });
}

/**
 * Delivery Secrets and hash records: resourceVersions as numbers, the token, its id and its
 * hash as bytes. The username is the same for all tokens of a user: pooled, kept as the string.
 */
export function secretPacker(): ObjectPacker {
  return new ObjectPacker(["apiVersion", "kind", "type", MANAGED_BY_LABEL_KEY], {
    resourceVersion: DECIMAL_STRING,
    token: BASE64_BYTES,
    tokenId: BASE64_BYTES,
    tokenHash: BASE64_BYTES,
  });
}
