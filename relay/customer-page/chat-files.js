// The customer page's links and files: web links made clickable, and the files a message carries, fetched with the
// chat token (the relay serves a file only to the chat's parties, so a plain <img src> cannot load it).

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const blobUrls = new Map();

/**
 * A message's text with its web links clickable (http and https only; anything else stays text), opened in a new
 * tab that cannot reach this page. Punctuation that ends a sentence stays outside the link.
 */
export function linkNodes(text) {
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"'`]+/gi)) {
    const address = match[0].replace(/[.,;:!?)\]}'"]+$/, '');
    let href = null;
    try {
      const url = new URL(address);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (match.index > at) nodes.push(text.slice(at, match.index));
    const link = el('a', 'link', address);
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    nodes.push(link);
    at = match.index + address.length;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}

async function fetchAttachment(id, token) {
  const known = blobUrls.get(id);
  if (known) return known;
  const res = await fetch(`/attachments/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  blobUrls.set(id, url);
  return url;
}

/**
 * A file a message carries: an image is shown, any other file is a button that downloads it. `page.token()` is the
 * chat token the relay asks for; `page.alert` tells the customer what went wrong.
 */
export function attachmentNode(attachment, page) {
  if (attachment.type.startsWith('image/')) {
    const figure = el('figure', 'attachment image');
    const img = el('img');
    img.alt = attachment.name;
    figure.append(img, el('figcaption', undefined, attachment.name));
    fetchAttachment(attachment.id, page.token()).then(
      (url) => {
        img.src = url;
      },
      () => figure.replaceChildren(el('p', 'file-name', `${attachment.name} (could not be loaded)`)),
    );
    return figure;
  }
  const link = el('button', 'attachment file', `Download ${attachment.name} (${sizeText(attachment.size)})`);
  link.type = 'button';
  link.addEventListener('click', async () => {
    try {
      const a = el('a');
      a.href = await fetchAttachment(attachment.id, page.token());
      a.download = attachment.name;
      a.click();
    } catch {
      page.alert('That file could not be downloaded. Try again in a moment.');
    }
  });
  return link;
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
