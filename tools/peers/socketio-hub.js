// A minimal socket.io room hub: `join` puts the socket in a room (answered by `joined`),
// and every `draw` event is relayed to the room's other sockets. WebSocket transport only
// (as the load generator connects), no compression. `node socketio-hub.js [port]`.
'use strict';
const http = require('node:http');
const { Server } = require('socket.io');

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 1e6 });

io.on('connection', (socket) => {
  socket.on('join', (room) => {
    socket.join(room);
    socket.data.room = room;
    socket.emit('joined', room);
  });
  socket.on('draw', (payload) => {
    if (socket.data.room) socket.to(socket.data.room).emit('draw', payload);
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
