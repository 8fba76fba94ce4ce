// TLS for the relay: reads and checks the certificate and key named by --tls-cert / --tls-key before the relay starts,
// so a missing file, a file that is not PEM or a key that does not belong to the certificate is a sentence, not a
// stack trace from deep inside node:tls.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';

export interface TlsFiles {
  /** PEM certificate (with its chain after it, if any) */
  certFile: string;
  /** PEM private key of that certificate */
  keyFile: string;
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

function read(flag: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'the relay may not read it' : code === 'EISDIR' ? 'it is a folder' : String((error as Error).message);
    throw new TlsConfigError(`${flag} ${file} cannot be read: ${why}.`);
  }
}

/** The certificate and key, checked: both PEM, the key matches the certificate. Throws TlsConfigError with a sentence. */
export function loadTls(files: TlsFiles, now = Date.now()): { cert: Buffer; key: Buffer; warning: string | null } {
  const cert = read('--tls-cert', files.certFile);
  const key = read('--tls-key', files.keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new TlsConfigError(`--tls-cert ${files.certFile} is not a PEM certificate (it should start with -----BEGIN CERTIFICATE-----).`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsConfigError(`--tls-key ${files.keyFile} is not a PEM private key without a passphrase (it should start with -----BEGIN PRIVATE KEY-----).`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsConfigError(`--tls-key ${files.keyFile} is not the key of the certificate in ${files.certFile}.`);
  }
  const validTo = Date.parse(certificate.validTo);
  const validFrom = Date.parse(certificate.validFrom);
  const warning =
    validTo < now
      ? `the certificate in ${files.certFile} expired on ${certificate.validTo}; browsers and Baton will refuse it.`
      : validFrom > now
        ? `the certificate in ${files.certFile} is not valid before ${certificate.validFrom}.`
        : null;
  return { cert, key, warning };
}
