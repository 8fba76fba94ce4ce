// A bare customer speaking the customer protocol over `ws`, for specs that script a day of chats without a browser
// page per customer.
import WebSocket from 'ws';
import { CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';

export interface ScriptedCustomer {
  sessionId: string;
  close(): Promise<void>;
}

export async function connectScriptedCustomer(wsUrl: string, name: string, team?: string): Promise<ScriptedCustomer> {
  const ws = new WebSocket(`${wsUrl.replace(/\/+$/, '')}${CUSTOMER_PATH}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const welcome = new Promise<{ sessionId: string }>((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string; sessionId?: string; message?: string };
      if (frame.id !== 'hello') return;
      if (frame.type === 'customer-welcome' && frame.sessionId) resolve({ sessionId: frame.sessionId });
      else reject(new Error(`customer ${name} was refused: ${frame.message ?? frame.type}`));
    });
  });
  ws.send(JSON.stringify({ id: 'hello', type: 'customer-hello', protocol: PROTOCOL_VERSION, name, ...(team ? { team } : {}) }));
  const { sessionId } = await welcome;
  return {
    sessionId,
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000, 'test done');
      }),
  };
}
