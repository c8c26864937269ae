import { addDaysToInstant } from "@/lib/dates";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/**
 * A throwaway PKI for the local Teller: a test CA, a server certificate for 127.0.0.1 /
 * localhost, and a client certificate (what Teller issues in its dashboard). Keys come
 * from Node's crypto (fast); node-forge only builds and signs the X.509 certificates.
 */
export type TestPki = { caCert: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string };

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { pem, forgePrivate: forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey, forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()) };
}

function cert(subjectCN: string, pub: forge.pki.PublicKey, issuer: forge.pki.Certificate | null, signKey: forge.pki.rsa.PrivateKey, ext: object[]) {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = `01${randomBytes(8).toString("hex")}`;
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = addDaysToInstant(Date.now(), 3 * 365);
  c.setSubject([{ name: "commonName", value: subjectCN }, { name: "organizationName", value: "Ledgerlink test PKI" }]);
  c.setIssuer(issuer ? issuer.subject.attributes : [{ name: "commonName", value: subjectCN }, { name: "organizationName", value: "Ledgerlink test PKI" }]);
  c.setExtensions(ext);
  c.sign(signKey, forge.md.sha256.create());
  return c;
}

export function createTestPki(): TestPki {
  const ca = keyPair();
  const caCert = cert("Ledgerlink Test CA", ca.forgePublic, null, ca.forgePrivate, [
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true },
  ]);
  const server = keyPair();
  const serverCert = cert("127.0.0.1", server.forgePublic, caCert, ca.forgePrivate, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
  ]);
  const client = keyPair();
  const clientCert = cert("ledgerlink-app", client.forgePublic, caCert, ca.forgePrivate, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  const pem = forge.pki.certificateToPem;
  return { caCert: pem(caCert), serverKey: server.pem, serverCert: pem(serverCert), clientKey: client.pem, clientCert: pem(clientCert) };
}
