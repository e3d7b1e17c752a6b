// A minimal `ws` room hub: a client joins the room named by `?room=` and every text frame
// it sends is relayed to the room's other clients. Same semantics as Tether's relay of
// ephemeral messages, nothing more. `node ws-hub.js [port]` prints `listening on ...`.
'use strict';
const http = require('node:http');
const { WebSocketServer } = require('ws');

const rooms = new Map();
const server = http.createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on('connection', (socket, request) => {
  const room = new URL(request.url, 'http://hub').searchParams.get('room') || 'default';
  if (!rooms.has(room)) rooms.set(room, new Set());
  const members = rooms.get(room);
  members.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const other of members) {
      if (other !== socket && other.readyState === 1) other.send(data, { binary: isBinary });
    }
  });
  socket.on('close', () => {
    members.delete(socket);
    if (members.size === 0) rooms.delete(room);
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
