// A scripted bot that runs in its own browser page and speaks the wire protocol directly (no
// Parley code): it answers offers like the bots of PROTOCOL.md §9, ACKs texts, and on command
// plays an audio track (a bot-initiated offer, §8.1), patches a message over `msgpatch` (§7.7),
// or sends hostile input: garbage, oversized text, amend/delete/patch of the user's messages.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { BASE } from './helpers';

export interface FakeBot { ctx: BrowserContext; page: Page; errors: string[] }

export async function startFakeBot(browser: Browser, name: string): Promise<FakeBot> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE()}bot-page-that-does-not-exist`); // SPA fallback: any same-origin page
  await page.evaluate((botName) => new Promise<void>((ready) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    let me = '';
    const pcs: Record<string, RTCPeerConnection> = {};
    const send = (o: unknown) => ws.send(JSON.stringify(o));
    const sdp = (to: string, d: RTCSessionDescriptionInit) => send({ sdp_offer: { type: d.type, offer_json: JSON.stringify(d), from_node_id: me, to_node_id: to } });
    const chatMsg = (to: string, extra: object) => JSON.stringify({ messageId: crypto.randomUUID(), timestamp: Date.now(), fromNodeId: me, toNodeId: to, ...extra });
    const patch = (kind: number, id: string, value: string) => {
      const e = new TextEncoder(); const a = e.encode(id); const b = e.encode(value);
      const out = new Uint8Array(5 + a.length + b.length);
      out[0] = kind; out[1] = a.length >> 8; out[2] = a.length & 255; out.set(a, 3);
      out[3 + a.length] = b.length >> 8; out[4 + a.length] = b.length & 255; out.set(b, 5 + a.length);
      return out;
    };
    function setup(peer: string): RTCPeerConnection {
      const pc = new RTCPeerConnection();
      pcs[peer] = pc;
      pc.onicecandidate = (e) => { if (e.candidate?.candidate) send({ ice_offer: { offer_json: JSON.stringify(e.candidate), from_node_id: me, to_node_id: peer } }); };
      pc.ondatachannel = (ev) => {
        const ch = ev.channel;
        if (ch.label === 'ping') ch.onmessage = (m) => { const p = JSON.parse(m.data); if (p.ping?.direction === 'ping') ch.send(chatMsg(peer, { ping: { direction: 'pong', seq: p.ping.seq } })); };
        if (ch.label !== 'chat') return;
        ch.onmessage = async (m) => {
          const msg = JSON.parse(m.data);
          if (msg.ack || typeof msg.message !== 'string') return;
          ch.send(chatMsg(peer, { ack: { messageId: msg.messageId } })); // ACK before replying
          const reply = (text: string, id?: string) => ch.send(JSON.stringify({ ...JSON.parse(chatMsg(peer, { message: text })), ...(id ? { messageId: id } : {}) }));
          if (msg.message === '/play') {
            const ac = new AudioContext();
            const osc = ac.createOscillator();
            const dest = ac.createMediaStreamDestination();
            osc.frequency.value = 440;
            osc.connect(dest);
            osc.start();
            pc.addTrack(dest.stream.getAudioTracks()[0], dest.stream);
            await pc.setLocalDescription(await pc.createOffer());
            sdp(peer, pc.localDescription!);
            reply('Now playing: A4');
          } else if (msg.message === '/now') {
            const id = crypto.randomUUID();
            reply('clock 0', id);
            const mp = pc.createDataChannel('msgpatch');
            mp.binaryType = 'arraybuffer';
            mp.onopen = () => { mp.send(patch(1, id, 'clock 1')); setTimeout(() => mp.send(patch(0, id, ' and more')), 200); };
          } else if (msg.message === 'victim') {
            const target = msg.messageId;
            ch.send('not json at all');
            ch.send('[1,2,3]');
            ch.send('{"messageId":5,"message":"numeric id"}');
            ch.send(chatMsg(peer, {})); // a message with nothing in it
            ch.send(chatMsg(peer, { message: 7, richText: 'x', file: { name: 3 } }));
            ch.send(chatMsg(peer, { message: 'x'.repeat(200_000) }));
            ch.send(chatMsg(peer, { amend: { messageId: target, newMessageJSON: JSON.stringify({ messageId: target, message: 'HIJACKED' }) } }));
            ch.send(chatMsg(peer, { delete: { messageId: target } }));
            ch.send(chatMsg(peer, { message: '<img src=x onerror="window.pwned=1">' }));
            ch.send(chatMsg(peer, { file: { category: 'image', name: '../../evil.svg', type: 'image/svg+xml', size: 10, dcId: '999', thumbnail: { dataURL: 'javascript:alert(1)', mime: 'image/svg+xml' } } }));
            const mp = pc.createDataChannel('msgpatch');
            mp.binaryType = 'arraybuffer';
            mp.onopen = () => {
              mp.send(patch(1, target, 'PATCHED'));
              mp.send(new Uint8Array([7, 0, 0, 0, 0]));
              mp.send(new Uint8Array([1, 0, 200]));
              setTimeout(() => reply('still alive'), 300);
            };
          } else if (msg.message === '/badfiles') {
            // Two files that must fail visibly: a wrong checksum, and more bytes than announced.
            const sendFile = (name: string, size: number, payload: Uint8Array<ArrayBuffer>, sha256?: string) => {
              const fc = pc.createDataChannel('file');
              fc.binaryType = 'arraybuffer';
              fc.onopen = () => {
                const metaId = crypto.randomUUID();
                const acked = (m: MessageEvent) => {
                  const a = JSON.parse(m.data);
                  if (a.ack?.messageId !== metaId) return;
                  ch.removeEventListener('message', acked);
                  fc.send(payload);
                };
                ch.addEventListener('message', acked);
                ch.send(JSON.stringify({ ...JSON.parse(chatMsg(peer, { file: { category: 'file', name, type: 'application/octet-stream', size, dcId: String(fc.id), ...(sha256 ? { sha256 } : {}) } })), messageId: metaId }));
              };
            };
            sendFile('corrupt.bin', 4, new Uint8Array([1, 2, 3, 4]), '0'.repeat(64));
            sendFile('oversize.bin', 2, new Uint8Array([1, 2, 3, 4]));
          } else reply(`echo: ${msg.message}`);
        };
      };
      return pc;
    }
    ws.onopen = () => send({ register: { node_name: botName }, attributes_announcement: { attributes: { negotiation: 'impolite' } } });
    ws.onmessage = async (ev) => {
      const f = JSON.parse(ev.data);
      if (f.node_id && f.register) { me = f.node_id; ready(); }
      if (f.echo) return;
      const o = f.sdp_offer;
      if (o && o.to_node_id === me) {
        const pc = pcs[o.from_node_id] ?? setup(o.from_node_id);
        await pc.setRemoteDescription({ type: o.type, sdp: JSON.parse(o.offer_json).sdp });
        if (o.type === 'offer') { await pc.setLocalDescription(); sdp(o.from_node_id, pc.localDescription!); }
      }
      const c = f.ice_offer;
      if (c && c.to_node_id === me) await pcs[c.from_node_id]?.addIceCandidate(JSON.parse(c.offer_json)).catch(() => {});
    };
    setInterval(() => send({ echo: { direction: 'ping', correlation_id: 'bot', server_timestamp: 0, timestamp: Date.now(), seq_id: 1 } }), 3000);
  }), name);
  return { ctx, page, errors };
}
