// PeerServer (npm "peer") as the comparison baseline for bench/signalling/run.sh.
// Usage: node server.js <port> [host]
// WebSocket endpoint: ws://<host>:<port>/peerjs?key=peerjs&id=<id>&token=<token>
const { PeerServer } = require("peer");

const port = Number(process.argv[2] || 9000);
const host = process.argv[3] || "127.0.0.1";
const server = PeerServer(
  {
    port,
    host,
    path: "/",
    key: "peerjs",
    // Defaults are 5000 concurrent clients; raise it so the descriptor limit is what binds.
    concurrent_limit: 10_000_000,
    // Default: a client silent for 90 s is dropped (PeerJS clients send HEARTBEAT every 5 s).
    alive_timeout: 90_000,
  },
  () => console.log(`peerserver: listening on ws://${host}:${port}/peerjs pid ${process.pid}`),
);
server.on("error", (e) => console.error("peerserver error:", e && e.message));
