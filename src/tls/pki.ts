// src/tls/: a small CA, the webhook's self-signed bootstrap, reloading from files.
// A tiny certificate authority: for the local control plane, and for the webhook service's
// self-signed TLS mode in clusters without cert-manager.
// ECDSA P-256 keys (fast to generate) and X.509 certificates built with @peculiar/x509.
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** A CA that can issue certificates; its key never leaves the process that holds it. */
export interface CertificateAuthority extends KeyPairPem {
  issue(request: CertificateRequest): Promise<KeyPairPem>;
}

/** What a certificate is for: a server (with SANs) or a client (user name and groups). */
export type CertificateRequest = (
  | { usage: "server"; commonName: string; ipAddresses?: string[]; dnsNames?: string[] }
  | { usage: "client"; commonName: string; organizations?: string[] }
) & {
  /** Validity in days; the CA's own by default. */
  days?: number;
};

async function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN PRIVATE KEY-----\n${body.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** Escapes a value for an X.500 distinguished-name string (commas, plus signs, etc). */
function dnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, "\\$1");
}

function randomSerial(): string {
  // Positive 16-byte serial: clear the top bit so it is not read as negative.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  // Back-date a little so freshly issued certificates are valid despite clock skew.
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + days * DAY_MS) };
}

function requestExtensions(request: CertificateRequest): x509.Extension[] {
  const keyUsage = new x509.KeyUsagesExtension(
    x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    true,
  );
  if (request.usage === "client") {
    return [keyUsage, new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])];
  }
  const names: x509.JsonGeneralName[] = [
    ...(request.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(request.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
  ];
  return [
    keyUsage,
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ];
}

function subjectOf(request: CertificateRequest): string {
  const parts = [`CN=${dnValue(request.commonName)}`];
  if (request.usage === "client") {
    for (const org of request.organizations ?? []) parts.push(`O=${dnValue(org)}`);
  }
  return parts.join(", ");
}

/** Creates a self-signed CA valid for `days` days. */
export async function createCertificateAuthority(
  commonName: string,
  days = 30,
): Promise<CertificateAuthority> {
  const keys = await newKeyPair();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${dnValue(commonName)}`,
    ...validity(days),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    ],
  });
  return authorityFrom(caCert, keys.privateKey, days);
}

/** Rebuilds a CA from its PEM files, e.g. in a test worker that needs to issue a client cert. */
export async function loadCertificateAuthority(
  certPem: string,
  keyPem: string,
  days = 30,
): Promise<CertificateAuthority> {
  const der = Buffer.from(keyPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, KEY_ALGORITHM, true, ["sign"]);
  return authorityFrom(new x509.X509Certificate(certPem), privateKey, days);
}

/** Loads a CA from its certificate and key files (the local control plane's, in tests). */
export async function loadCertificateAuthorityFiles(
  certFile: string,
  keyFile: string,
): Promise<CertificateAuthority> {
  const [certPem, keyPem] = await Promise.all([
    readFile(certFile, "utf8"),
    readFile(keyFile, "utf8"),
  ]);
  return loadCertificateAuthority(certPem, keyPem);
}

async function authorityFrom(
  caCert: x509.X509Certificate,
  caKey: CryptoKey,
  days: number,
): Promise<CertificateAuthority> {
  const issue = async (request: CertificateRequest): Promise<KeyPairPem> => {
    const leafKeys = await newKeyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: subjectOf(request),
      issuer: caCert.subject,
      ...validity(request.days ?? days),
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: leafKeys.publicKey,
      signingKey: caKey,
      extensions: requestExtensions(request),
    });
    return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(leafKeys.privateKey) };
  };
  return { certPem: caCert.toString("pem"), keyPem: await privateKeyPem(caKey), issue };
}

/** Creates a bare key pair (PEM public and private) for service-account token signing. */
export async function createSigningKeyPair(): Promise<{ publicPem: string; privatePem: string }> {
  const keys = await newKeyPair();
  const spki = Buffer.from(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  const body = spki.toString("base64").replace(/(.{64})/g, "$1\n");
  return {
    publicPem: `-----BEGIN PUBLIC KEY-----\n${body.trimEnd()}\n-----END PUBLIC KEY-----\n`,
    privatePem: await privateKeyPem(keys.privateKey),
  };
}

/** When a PEM certificate stops being valid. */
export function certificateNotAfter(certPem: string): Date {
  return new x509.X509Certificate(certPem).notAfter;
}
