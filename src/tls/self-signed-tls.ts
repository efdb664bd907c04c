// Self-signed TLS for clusters without cert-manager: the first replica makes a CA and a serving
// certificate for the webhook Service, keeps them in a Secret that every replica shares, and
// puts the CA into the caBundle of the Validating- and MutatingWebhookConfiguration of that
// name. Renewed before expiry.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from "../k8s/errors.ts";
import type { KubeObject } from "../k8s/object.ts";
import { SECRETS, resourcePath } from "../k8s/paths.ts";
import type { KubeRest } from "../k8s/rest.ts";
import {
  certificateNotAfter,
  createCertificateAuthority,
  loadCertificateAuthority,
} from "./pki.ts";
import type { TlsFiles } from "./tls-reloader.ts";

const CA_DAYS = 3650;
const SERVING_DAYS = 365;
/** Renew the serving certificate once it has less than this left. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const ADMISSION = "/apis/admissionregistration.k8s.io/v1";
/** Both admission configurations carry the same name; the mutating one is optional. */
const CONFIGURATIONS = [
  { kind: "ValidatingWebhookConfiguration", path: `${ADMISSION}/validatingwebhookconfigurations` },
  { kind: "MutatingWebhookConfiguration", path: `${ADMISSION}/mutatingwebhookconfigurations` },
] as const;

/** Where the material lives and whom it serves. */
export interface SelfSignedTlsOptions {
  rest: KubeRest;
  namespace: string;
  secretName: string;
  serviceName: string;
  webhookConfigurationName: string;
  /** Where the serving certificate and key are written for the server to load. */
  dir: string;
  log: Logger;
  now?: () => Date;
}

/** The PEMs kept in the Secret. */
export interface TlsMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /**
   * The CA this one replaced, still trusted until it expires: other replicas serve a
   * certificate it signed until their next check picks up the new one.
   */
  previousCaCert?: string | undefined;
}

/** DNS names clients use for the webhook Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/** True when the serving certificate is missing, unreadable or close to expiry. */
export function needsRenewal(certPem: string | undefined, now: Date): boolean {
  if (!certPem) return true;
  try {
    return certificateNotAfter(certPem).getTime() - now.getTime() < RENEW_BEFORE_MS;
  } catch {
    return true;
  }
}

function certificateNotAfterOrZero(pem: string): number {
  try {
    return certificateNotAfter(pem).getTime();
  } catch {
    return 0;
  }
}

const b64 = (text: string): string => Buffer.from(text).toString("base64");
const unb64 = (text: unknown): string | undefined =>
  typeof text === "string" ? Buffer.from(text, "base64").toString() : undefined;

function materialOf(secret: KubeObject): Partial<TlsMaterial> {
  const data = (secret.data ?? {}) as Record<string, unknown>;
  return {
    caCert: unb64(data["ca.crt"]),
    caKey: unb64(data["ca.key"]),
    cert: unb64(data["tls.crt"]),
    key: unb64(data["tls.key"]),
    previousCaCert: unb64(data["ca-previous.crt"]),
  };
}

function secretOf(
  options: SelfSignedTlsOptions,
  material: TlsMaterial,
  resourceVersion?: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    // Deliberately not labelled managed-by=svctokens: admission guards those Secrets, and it
    // cannot run before this certificate exists.
    metadata: {
      name: options.secretName,
      namespace: options.namespace,
      labels: { "app.kubernetes.io/part-of": "svctokens" },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: "kubernetes.io/tls",
    data: {
      "ca.crt": b64(material.caCert),
      "ca.key": b64(material.caKey),
      "tls.crt": b64(material.cert),
      "tls.key": b64(material.key),
      ...(material.previousCaCert ? { "ca-previous.crt": b64(material.previousCaCert) } : {}),
    },
  };
}

async function issueServing(
  options: SelfSignedTlsOptions,
  caCert: string,
  caKey: string,
): Promise<{ cert: string; key: string }> {
  const ca = await loadCertificateAuthority(caCert, caKey, CA_DAYS);
  const serving = await ca.issue({
    usage: "server",
    commonName: `${options.serviceName}.${options.namespace}.svc`,
    dnsNames: serviceDnsNames(options.serviceName, options.namespace),
    days: SERVING_DAYS,
  });
  return { cert: serving.certPem, key: serving.keyPem };
}

/** Reads, creates or renews the shared Secret; returns the material now in force. */
async function ensureSecret(options: SelfSignedTlsOptions): Promise<TlsMaterial> {
  const { rest, namespace, secretName, log } = options;
  const now = options.now?.() ?? new Date();
  const path = resourcePath(SECRETS, { namespace, name: secretName });
  const existing = await rest.request<KubeObject>("GET", path).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const current = existing ? materialOf(existing) : {};
  if (
    current.caCert &&
    current.caKey &&
    current.cert &&
    current.key &&
    !needsRenewal(current.cert, now)
  ) {
    return current as TlsMaterial;
  }
  let caCert = current.caCert;
  let caKey = current.caKey;
  let previousCaCert = current.previousCaCert;
  if (!caCert || !caKey || needsRenewal(caCert, now)) {
    const ca = await createCertificateAuthority(`${options.serviceName}-ca`, CA_DAYS);
    previousCaCert = caCert;
    caCert = ca.certPem;
    caKey = ca.keyPem;
  }
  const material: TlsMaterial = {
    caCert,
    caKey,
    previousCaCert,
    ...(await issueServing(options, caCert, caKey)),
  };
  try {
    if (existing)
      await rest.request(
        "PUT",
        path,
        secretOf(options, material, existing.metadata?.resourceVersion),
      );
    else
      await rest.request("POST", resourcePath(SECRETS, { namespace }), secretOf(options, material));
    log.info(
      { secret: secretName, notAfter: certificateNotAfter(material.cert) },
      "issued a self-signed serving certificate",
    );
    return material;
  } catch (error) {
    // Another replica got there first: use what it wrote.
    if (isAlreadyExists(error) || isConflict(error)) return ensureSecret(options);
    throw error;
  }
}

/** Puts the CA into every webhook of both configurations; an absent one: nothing to do. */
async function ensureCaBundle(options: SelfSignedTlsOptions, material: TlsMaterial): Promise<void> {
  for (const configuration of CONFIGURATIONS) {
    await ensureCaBundleOf(options, material, configuration);
  }
}

async function ensureCaBundleOf(
  options: SelfSignedTlsOptions,
  material: TlsMaterial,
  configuration: (typeof CONFIGURATIONS)[number],
): Promise<void> {
  const path = `${configuration.path}/${options.webhookConfigurationName}`;
  const config = await options.rest.request<KubeObject>("GET", path).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!config) {
    options.log.warn(
      { name: options.webhookConfigurationName },
      `${configuration.kind} not found; caBundle not set`,
    );
    return;
  }
  const webhooks = (config.webhooks ?? []) as { clientConfig?: { caBundle?: string } }[];
  const now = options.now?.() ?? new Date();
  const previous = material.previousCaCert;
  const stillValid = previous !== undefined && certificateNotAfterOrZero(previous) > now.getTime();
  const bundle = b64(
    stillValid ? `${material.caCert.trimEnd()}\n${previous.trimEnd()}\n` : material.caCert,
  );
  if (webhooks.every((webhook) => webhook.clientConfig?.caBundle === bundle)) return;
  const patch = webhooks.map((_, i) => ({
    op: "add",
    path: `/webhooks/${i}/clientConfig/caBundle`,
    value: bundle,
  }));
  await options.rest.request("PATCH", path, patch, "application/json-patch+json");
  options.log.info(
    { name: options.webhookConfigurationName, kind: configuration.kind },
    "caBundle updated",
  );
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode });
  await rename(`${path}.tmp`, path);
}

/** Makes sure a valid certificate exists, is on disk and is trusted by admission. */
export async function ensureSelfSignedTls(options: SelfSignedTlsOptions): Promise<TlsFiles> {
  const material = await ensureSecret(options);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const files = { certFile: join(options.dir, "tls.crt"), keyFile: join(options.dir, "tls.key") };
  // Key first: the reloader skips a certificate that does not match its key until both are new.
  await writeAtomically(files.keyFile, material.key, 0o600);
  await writeAtomically(files.certFile, material.cert, 0o644);
  await ensureCaBundle(options, material);
  return files;
}

/** Re-checks every `intervalMs` (renewal by any replica, a re-applied configuration); returns a stop function. */
export function keepSelfSignedTls(options: SelfSignedTlsOptions, intervalMs: number): () => void {
  const timer = setInterval(() => {
    ensureSelfSignedTls(options).catch((error: unknown) =>
      options.log.warn(
        { err: errorMessage(error) },
        "self-signed TLS check failed; retrying later",
      ),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
