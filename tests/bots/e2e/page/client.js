// A minimal web client for the bots' end-to-end tests: signalling, one offered connection per
// bot (chat + ping), ACKs, msgpatch folding, files both ways (§7.6) and WebAudio analysis.
'use strict';
(() => {
  const uuid = () => crypto.randomUUID();
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const state = { ws: null, nodeId: null, peers: new Map(), log: [] };

  function connectSignalling(name) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      state.ws = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ register: { node_name: name },
          attributes_announcement: { attributes: { support_attachment: 'true', negotiation: 'perfect' } } }));
        let seq = 0;
        state.pinger = setInterval(() => ws.readyState === 1 && ws.send(JSON.stringify({ echo: {
          direction: 'ping', correlation_id: 'e2e', server_timestamp: 0, timestamp: Date.now(), seq_id: seq++ } })), 1000);
      };
      ws.onerror = () => reject(new Error('signalling failed'));
      ws.onclose = () => clearInterval(state.pinger);
      ws.onmessage = (ev) => {
        const f = JSON.parse(ev.data);
        if (f.node_id && f.register && !f.echo) { state.nodeId = f.node_id; resolve(f.node_id); }
        if (f.sdp_offer && f.sdp_offer.to_node_id === state.nodeId) onSdp(f.sdp_offer);
        if (f.ice_offer && f.ice_offer.to_node_id === state.nodeId) onIce(f.ice_offer);
      };
    });
  }

  function peerById(id) { for (const p of state.peers.values()) if (p.id === id) return p; return null; }
  function signal(p, payload) { state.ws.send(JSON.stringify(payload)); }

  async function onSdp(o) {
    const p = peerById(o.from_node_id);
    if (!p) return;
    const desc = JSON.parse(o.offer_json);
    await p.pc.setRemoteDescription({ type: o.type, sdp: desc.sdp });  // bots' renegotiation offers too
    for (const c of p.early.splice(0)) await p.pc.addIceCandidate(c).catch(() => {});
    if (o.type === 'offer') {
      await p.pc.setLocalDescription();
      const d = p.pc.localDescription;
      signal(p, { sdp_offer: { type: d.type, offer_json: JSON.stringify({ type: d.type, sdp: d.sdp }),
        from_node_id: state.nodeId, to_node_id: p.id } });
    }
  }

  function onIce(o) {
    const p = peerById(o.from_node_id);
    if (!p) return;
    const c = JSON.parse(o.offer_json);
    p.remoteCandidates.push(c.candidate);
    if (!p.pc.remoteDescription) p.early.push(c); else p.pc.addIceCandidate(c).catch(() => {});
  }

  function sendChat(p, m) { p.chat.send(JSON.stringify(m)); }
  function base(p) { return { messageId: uuid(), fromNodeId: state.nodeId, toNodeId: p.id, timestamp: Date.now() }; }

  function onChat(p, text) {
    let m;
    try { m = JSON.parse(text); } catch { return; }
    if (typeof m !== 'object' || !m || typeof m.messageId !== 'string') return;
    p.received.push(m);
    if (m.ack) { p.acked.add(m.ack.messageId); return; }
    if (m.ping) return;
    if (m.message !== undefined || m.file) sendChat(p, { ...base(p), ack: { messageId: m.messageId } });
    if (m.message !== undefined) {
      // Fold patches that arrived first.
      let t = m.message;
      for (const o of p.earlyPatches.get(m.messageId) || []) t = o.kind === 0 ? t + o.value : o.value;
      p.earlyPatches.delete(m.messageId);
      p.texts.set(m.messageId, t);
    }
    if (m.file) { const r = p.inFiles.get(m.file.dcId) || {}; r.meta = m.file; p.inFiles.set(m.file.dcId, r); completeFile(p, m.file.dcId); }
  }

  function onPatch(p, buf) {
    const b = new Uint8Array(buf);
    if (b.length < 5 || b[0] > 1) return;
    const l1 = (b[1] << 8) | b[2];
    if (b.length < 5 + l1) return;
    const l2 = (b[3 + l1] << 8) | b[4 + l1];
    if (b.length !== 5 + l1 + l2) return;
    const o = { kind: b[0], id: dec.decode(b.subarray(3, 3 + l1)), value: dec.decode(b.subarray(5 + l1)) };
    p.patchCount++;
    if (!p.texts.has(o.id)) { const l = p.earlyPatches.get(o.id) || []; l.push(o); p.earlyPatches.set(o.id, l); return; }
    p.texts.set(o.id, o.kind === 0 ? p.texts.get(o.id) + o.value : o.value);
  }

  function word(n) { const b = new ArrayBuffer(4); new DataView(b).setUint32(0, n); return b; }

  function onFileChannel(p, dc) {
    const key = String(dc.id);
    const r = p.inFiles.get(key) || {};
    r.dc = dc; r.chunks = []; r.total = 0;
    p.inFiles.set(key, r);
    dc.send(word(0));  // the receiver's early zero word
    dc.onmessage = (ev) => {
      const data = new Uint8Array(ev.data);
      r.chunks.push(data); r.total += data.length;
      dc.send(word(data.length));
      completeFile(p, key);
    };
  }

  function completeFile(p, key) {
    const r = p.inFiles.get(key);
    if (!r || !r.meta || !r.dc || r.total !== r.meta.size || r.done) return;
    r.done = true;
    const out = new Uint8Array(r.total);
    let off = 0;
    for (const c of r.chunks) { out.set(c, off); off += c.length; }
    p.files.push({ meta: r.meta, bytes: out });
    r.dc.close();
  }

  // One certificate for every later connection of this page, as the Parley web client keeps one
  // per browser profile: its fingerprint, and so the safety numbers, survive reconnecting.
  async function keepCertificate() {
    state.certificate = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
  }

  // `rtcConfig` is merged into the connection's configuration (e.g. iceTransportPolicy).
  async function connect(botName, rtcConfig = {}) {
    const conns = await (await fetch('/conns')).json();
    const id = Object.keys(conns).find((k) => conns[k].node_name === botName);
    if (!id) throw new Error(`no ${botName} in /conns`);
    state.peers.get(botName)?.pc.close();  // a reconnect replaces the old connection
    const pc = new RTCPeerConnection({ iceServers: [], ...(state.certificate ? { certificates: [state.certificate] } : {}),
      ...rtcConfig });
    const p = { id, pc, early: [], received: [], acked: new Set(), texts: new Map(), earlyPatches: new Map(),
      patchCount: 0, inFiles: new Map(), files: [], audio: null, remoteCandidates: [] };
    state.peers.set(botName, p);
    pc.onicecandidate = (ev) => ev.candidate && ev.candidate.candidate && signal(p, { ice_offer: {
      offer_json: JSON.stringify(ev.candidate.toJSON()), from_node_id: state.nodeId, to_node_id: id } });
    pc.ondatachannel = (ev) => {
      const dc = ev.channel;
      dc.binaryType = 'arraybuffer';
      if (dc.label === 'msgpatch') dc.onmessage = (e) => onPatch(p, e.data);
      else if (dc.label === 'file') onFileChannel(p, dc);
      else if (dc.label === 'chat' || dc.label === 'ping') dc.onmessage = (e) => onChat(p, e.data);
    };
    pc.ontrack = (ev) => {
      if (ev.track.kind !== 'audio') return;
      const stream = ev.streams[0] || new MediaStream([ev.track]);
      const el = document.createElement('audio');  // Chromium only feeds WebAudio from a playing element
      el.muted = true; el.autoplay = true; el.srcObject = stream;
      document.getElementById('audio').appendChild(el);
      const ctx = new AudioContext({ sampleRate: 48000 });
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 32768;
      ctx.createMediaStreamSource(stream).connect(analyser);
      ctx.resume();
      p.audio = { ctx, analyser };
    };
    p.chat = pc.createDataChannel('chat');
    p.ping = pc.createDataChannel('ping');
    for (const dc of [p.chat, p.ping]) { dc.binaryType = 'arraybuffer'; dc.onmessage = (e) => onChat(p, e.data); }
    const opened = new Promise((res) => { p.chat.onopen = res; });
    await pc.setLocalDescription();
    const d = pc.localDescription;
    signal(p, { sdp_offer: { type: 'offer', offer_json: JSON.stringify({ type: 'offer', sdp: d.sdp }),
      from_node_id: state.nodeId, to_node_id: id } });
    await opened;
    return id;
  }

  function send(botName, text) {
    const p = state.peers.get(botName);
    const m = { ...base(p), message: text };
    sendChat(p, m);
    return m.messageId;
  }

  // Texts from the bot, as shown (patches folded), in arrival order.
  function texts(botName) {
    const p = state.peers.get(botName);
    return p.received.filter((m) => m.message !== undefined).map((m) => ({ id: m.messageId, text: p.texts.get(m.messageId) }));
  }

  // Spectrum summary from the analyser: peak frequency and band energies (dB).
  function spectrum(botName) {
    const p = state.peers.get(botName);
    if (!p.audio) return null;
    const a = p.audio.analyser;
    const bins = new Float32Array(a.frequencyBinCount);
    a.getFloatFrequencyData(bins);
    const hz = p.audio.ctx.sampleRate / a.fftSize;
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    const band = (lo, hi) => { let s = 0, n = 0; for (let i = Math.floor(lo / hz); i < hi / hz; i++) { s += bins[i]; n++; } return s / n; };
    return { peakHz: best * hz, peakDb: bins[best], state: p.audio.ctx.state,
      bands: [band(200, 400), band(900, 1100), band(2900, 3100), band(5900, 6100), band(9900, 10100)] };
  }

  async function sendFile(botName, name, size) {
    const p = state.peers.get(botName);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
    const sha = hex(await crypto.subtle.digest('SHA-256', bytes));
    const dc = p.pc.createDataChannel('file');
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = 256 * 1024;
    let words = 0, sum = 0, sent = 0, acked = false;
    const maxChunk = Math.min(p.pc.sctp ? p.pc.sctp.maxMessageSize : 16384, 65536);
    const done = new Promise((resolve) => {
      const maybeClose = () => { if (acked && sent === size && words > 0 && sum >= size) { dc.close(); resolve(); } };
      let pend = new Uint8Array(0);
      dc.onmessage = (ev) => {  // feedback words, possibly split or coalesced
        const b = new Uint8Array(pend.length + ev.data.byteLength);
        b.set(pend); b.set(new Uint8Array(ev.data), pend.length);
        let i = 0;
        for (; i + 4 <= b.length; i += 4) { sum += new DataView(b.buffer, i, 4).getUint32(0); words++; }
        pend = b.slice(i);
        maybeClose();
      };
      const pump = () => {
        while (acked && sent < size && dc.bufferedAmount <= 1024 * 1024) {
          const n = Math.min(maxChunk, size - sent);
          dc.send(bytes.subarray(sent, sent + n)); sent += n;
        }
        maybeClose();
      };
      dc.onbufferedamountlow = pump;
      dc.onopen = () => {
        const m = { ...base(p), file: { category: 'file', name, type: 'application/octet-stream', size, dcId: String(dc.id), sha256: sha } };
        const waitAck = setInterval(() => { if (p.acked.has(m.messageId)) { clearInterval(waitAck); acked = true; pump(); } }, 5);
        sendChat(p, m);
      };
    });
    await done;
    return sha;
  }

  function hex(buf) { return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join(''); }

  async function receivedFiles(botName) {
    const p = state.peers.get(botName);
    const out = [];
    for (const f of p.files) out.push({ meta: f.meta, size: f.bytes.length, sha: hex(await crypto.subtle.digest('SHA-256', f.bytes)) });
    return out;
  }

  function info(botName) {
    const p = state.peers.get(botName);
    return { acked: [...p.acked], patchCount: p.patchCount, received: p.received.length, conn: p.pc.connectionState };
  }

  // The selected ICE candidate pair (diagnostics for benchmarks).
  async function pairInfo(botName) {
    const stats = await state.peers.get(botName).pc.getStats();
    let pair = null;
    stats.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r; });
    if (!pair) return null;
    const l = stats.get(pair.localCandidateId), r = stats.get(pair.remoteCandidateId);
    return { local: `${l.address}:${l.port} ${l.candidateType}`, remote: `${r.address}:${r.port} ${r.candidateType}`,
      rtt: pair.currentRoundTripTime };
  }

  // The candidates the bot sent for this connection, as received (which kinds it gathered).
  function remoteCandidates(botName) { return [...(state.peers.get(botName)?.remoteCandidates ?? [])]; }

  // The applied descriptions of the connection to a bot (what safety numbers are made of).
  function descriptions(botName) {
    const pc = state.peers.get(botName).pc;
    return { local: pc.currentLocalDescription?.sdp ?? null, remote: pc.currentRemoteDescription?.sdp ?? null };
  }

  window.parley = { connectSignalling, connect, send, texts, spectrum, sendFile, receivedFiles, info, pairInfo,
    keepCertificate, descriptions, remoteCandidates, nodeId: () => state.nodeId };
})();
