// The links a message's text makes clickable, for the agents' renderer and the customer page alike.
import { describe, expect, it } from 'vitest';
import { linkParts } from '../../common/links';

const hrefs = (text: string, options?: { mailto?: boolean }) => linkParts(text, options).flatMap((p) => ('href' in p ? [p.href] : []));

describe('linkParts', () => {
  it('makes http and https addresses links, leaving the punctuation that ends the sentence outside', () => {
    expect(linkParts('See https://help.example.com/orders?id=4471. Thanks')).toEqual([
      { text: 'See ' },
      { text: 'https://help.example.com/orders?id=4471', href: 'https://help.example.com/orders?id=4471' },
      { text: '. Thanks' },
    ]);
    expect(hrefs('(http://example.com/a_(b))')).toEqual(['http://example.com/a_(b)']);
  });

  it('never links javascript:, data: or ftp: addresses', () => {
    expect(hrefs('javascript:alert(1) data:text/html,hi ftp://files.example.com', { mailto: true })).toEqual([]);
  });

  it('links an e-mail address written as mailto: only where the caller allows it (the customer page)', () => {
    const text = 'Write to mailto:help@example.com, or call.';
    expect(hrefs(text)).toEqual([]);
    expect(hrefs(text, { mailto: true })).toEqual(['mailto:help@example.com']);
    expect(hrefs('mailto:nobody and mailto:?subject=x', { mailto: true })).toEqual([]);
  });
});
