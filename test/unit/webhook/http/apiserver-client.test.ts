import { describe, expect, it } from "vitest";
import {
  decideClientAccess,
  dnsNamesOf,
  peerFactsOf,
  type ClientAccess,
  type PeerFacts,
} from "../../../../src/webhook/http/apiserver-client.ts";

const PINNED = ["kube-apiserver", "apiserver.example.com"];
const peer = (facts: Partial<PeerFacts>): PeerFacts => ({
  chainVerified: true,
  presented: true,
  commonName: undefined,
  dnsNames: [],
  ...facts,
});

describe("decideClientAccess", () => {
  it.each<[string, PeerFacts, ClientAccess]>([
    [
      "the pinned CN from the client CA",
      peer({ commonName: "kube-apiserver" }),
      { allowed: true, name: "kube-apiserver" },
    ],
    [
      "a pinned DNS SAN",
      peer({ commonName: "node-1", dnsNames: ["x", "apiserver.example.com"] }),
      { allowed: true, name: "apiserver.example.com" },
    ],
    [
      "no certificate",
      peer({ presented: false, chainVerified: false }),
      { allowed: false, code: 401, reason: "no-certificate" },
    ],
    [
      "the pinned name from another CA (the cluster CA)",
      peer({ chainVerified: false, commonName: "kube-apiserver" }),
      { allowed: false, code: 401, reason: "untrusted" },
    ],
    [
      "another name from the client CA",
      peer({ commonName: "alice", dnsNames: ["alice.example.com"] }),
      { allowed: false, code: 403, reason: "name" },
    ],
    [
      "a name that only contains a pinned one",
      peer({ commonName: "kube-apiserver-evil", dnsNames: ["kube-apiserver.evil"] }),
      { allowed: false, code: 403, reason: "name" },
    ],
    ["no name at all", peer({}), { allowed: false, code: 403, reason: "name" }],
  ])("%s", (_case, facts, expected) => {
    expect(decideClientAccess(facts, PINNED)).toEqual(expected);
  });
});

describe("reading the peer certificate", () => {
  it("takes DNS entries of subjectAltName only", () => {
    expect(dnsNamesOf("DNS:a.example, IP Address:10.0.0.1, URI:spiffe://x, DNS:b")).toEqual([
      "a.example",
      "b",
    ]);
    expect(dnsNamesOf(undefined)).toEqual([]);
  });

  it("treats a plain socket as no certificate, and a repeated CN as no name", () => {
    expect(peerFactsOf({ remoteAddress: "10.0.0.1" })).toEqual({
      chainVerified: false,
      presented: false,
      commonName: undefined,
      dnsNames: [],
    });
    const socket = {
      authorized: true,
      getPeerCertificate: () => ({
        raw: Buffer.from("der"),
        subject: { CN: ["kube-apiserver", "alice"] },
        subjectaltname: "DNS:alice",
      }),
    };
    expect(peerFactsOf(socket)).toEqual({
      chainVerified: true,
      presented: true,
      commonName: undefined,
      dnsNames: ["alice"],
    });
  });

  it("reads a TLS 1.3 connection's certificate once, a TLS 1.2 connection's on every request", () => {
    const socketOf = (protocol: string): { reads: number; getProtocol: () => string } => {
      const socket = {
        reads: 0,
        authorized: true,
        getProtocol: () => protocol,
        getPeerCertificate: () => {
          socket.reads++;
          return { raw: Buffer.from("der"), subject: { CN: "kube-apiserver" } };
        },
      };
      return socket;
    };
    const modern = socketOf("TLSv1.3");
    const older = socketOf("TLSv1.2");
    for (let i = 0; i < 3; i++) {
      expect(peerFactsOf(modern).commonName).toBe("kube-apiserver");
      expect(peerFactsOf(older).commonName).toBe("kube-apiserver");
    }
    expect(modern.reads).toBe(1);
    expect(older.reads).toBe(3);
    // Another connection is read on its own.
    const other = socketOf("TLSv1.3");
    peerFactsOf(other);
    expect(other.reads).toBe(1);
  });
});
