// The website widget: `<script src="https://<relay>/widget.js" data-team="billing" async></script>` on any allowed
// site adds a launcher button that opens the relay's chat page in an iframe, so the host page's styles and scripts
// stay out of the chat (and the chat's storage is the relay's). Self-contained: no imports, built as a classic script.
// data-team (or data-topic) picks the pre-chat topic; data-title, data-color and data-greeting override the relay's.

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script?.src || document.getElementById('baton-widget')) return;
  const relay = new URL(script.src).origin;
  const colour = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(script.dataset.color ?? '') ? (script.dataset.color as string) : '#2457c5';
  const OPEN_KEY = 'baton.widget.open';

  const query = new URLSearchParams({ embed: '1' });
  for (const [attribute, param] of [
    ['team', 'team'],
    ['topic', 'team'],
    ['title', 'title'],
    ['color', 'colour'],
    ['greeting', 'greeting'],
  ] as const) {
    const value = script.dataset[attribute];
    if (value) query.set(param, value.slice(0, 500));
  }

  const host = document.createElement('div');
  host.id = 'baton-widget';
  // a shadow root keeps the host page's CSS off the launcher, and ours off the page (open: tests and tools can reach it)
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = `
    :host { all: initial; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;
      border-radius: 50%; border: 0; background: ${colour}; color: #fff; cursor: pointer;
      box-shadow: 0 6px 20px rgb(0 0 0 / 25%); display: grid; place-items: center; }
    .launcher:focus-visible { outline: 3px solid #1d2433; outline-offset: 3px; }
    .launcher svg { width: 28px; height: 28px; fill: currentColor; }
    .frame { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: 380px; height: min(620px, calc(100vh - 112px));
      border: 0; border-radius: 14px; box-shadow: 0 12px 40px rgb(0 0 0 / 22%); background: #fff; }
    .frame[hidden] { display: none; }
    @media (max-width: 480px) {
      .frame { top: 0; right: 0; bottom: auto; width: 100vw; height: calc(100vh - 84px); border-radius: 0; }
      .launcher { right: 12px; bottom: 12px; }
    }`;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'baton-chat-frame');
  const chatIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  const closeIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z"/></svg>';
  let frame: HTMLIFrameElement | null = null;

  const setOpen = (open: boolean) => {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.id = 'baton-chat-frame';
      frame.className = 'frame';
      frame.title = script.dataset.title || 'Chat with us';
      frame.src = `${relay}/chat?${query}`;
      frame.allow = 'clipboard-write';
      root.append(frame);
    }
    if (frame) frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? 'Close the chat' : 'Open the chat');
    button.innerHTML = open ? closeIcon : chatIcon;
    try {
      sessionStorage.setItem(OPEN_KEY, open ? '1' : '0');
    } catch {
      // no storage: the chat is closed on the next page, and resumes when opened
    }
  };
  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  root.append(style, button);
  const mount = () => {
    document.body.append(host);
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(OPEN_KEY) === '1';
    } catch {
      wasOpen = false;
    }
    setOpen(wasOpen);
  };
  // an async script in <head> may run before there is a body
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
