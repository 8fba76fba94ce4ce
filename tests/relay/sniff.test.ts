// What an upload is, from its bytes, and the name it is kept under.
import { describe, expect, it } from 'vitest';
import { cleanFileName, contentDisposition, sniffType } from '../../relay/sniff';
import { PNG } from './uploads';

describe('sniffing', () => {
  it.each([
    ['a PNG', PNG, 'image/png'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    ['a GIF', Buffer.from('GIF89a\x01\x00', 'latin1'), 'image/gif'],
    ['a WebP', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'image/webp'],
    ['a PDF', Buffer.from('%PDF-1.7\n'), 'application/pdf'],
    ['UTF-8 text, right-to-left and emoji included', Buffer.from('שלום 👋\r\nline\ttwo'), 'text/plain'],
    ['HTML, which is only text here', Buffer.from('<html><script>alert(1)</script>'), 'text/plain'],
    ['a Windows program', Buffer.from([0x4d, 0x5a, 0x90, 0x00]), 'application/octet-stream'],
    ['text with a NUL', Buffer.from('abc\u0000def'), 'application/octet-stream'],
    ['invalid UTF-8', Buffer.from([0x61, 0xc3, 0x28]), 'application/octet-stream'],
  ])('%s', (_what, bytes, type) => {
    expect(sniffType(bytes)).toBe(type);
  });
});

describe('file names', () => {
  it('keeps only the last path part, drops control and bidi characters, and ends in an extension that fits', () => {
    expect(cleanFileName('C:\\Users\\x\\report.pdf', 'application/pdf')).toBe('report.pdf');
    expect(cleanFileName('../../etc/passwd', 'text/plain')).toBe('passwd.txt');
    expect(cleanFileName('invoice\u202Efdp.exe', 'application/pdf')).toBe('invoicefdp.exe.pdf');
    expect(cleanFileName('page.html', 'text/plain')).toBe('page.html.txt');
    expect(cleanFileName('  ', 'image/png')).toBe('file.png');
    expect(cleanFileName('.hidden', 'image/png')).toBe('hidden.png');
    expect(cleanFileName('PHOTO.JPEG', 'image/jpeg')).toBe('PHOTO.JPEG');
    const long = cleanFileName(`${'a'.repeat(300)}.png`, 'image/png');
    expect(long).toHaveLength(200);
    expect(long.endsWith('.png')).toBe(true);
  });

  it('Content-Disposition carries an ASCII fallback and the exact name', () => {
    expect(contentDisposition('attachment', 'Résumé "final".pdf')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });
});
