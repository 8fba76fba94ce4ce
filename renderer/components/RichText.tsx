// A message's text with its links clickable. A link opens in the browser: in the desktop app the window's open
// handler passes http(s) addresses to the operating system and refuses everything else; in web mode a new tab.
import { linkParts } from '../../common/links';

export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkParts(text).map((part, i) =>
        // Parts of one text never reorder, so the index is a stable key.
        'href' in part ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer" className="link-out">
            {part.text}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}
