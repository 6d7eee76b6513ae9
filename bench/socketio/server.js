// The Socket.IO peer of Roomlog's benchmark: chat rooms as a user of socket.io would write them,
// in memory, with no log behind them. Driven by the load generator through SocketIoProtocol.
//
//   node server.js [PORT [HOST]]      (or PORT=... HOST=... node server.js; PORT 0 picks a free one)
//
// Events (client -> server), each answered by an event, not an ack, so that the client needs no
// per-connection state to match answers: it matches them by requestId.
//   createRoom {roomId?, username, requestId}  -> roomCreated {roomId, requestId}
//   joinRoom   {roomId, username, requestId}   -> joined {roomId, requestId}
//   sendMessage {roomId, text, requestId}      -> message {roomId, text, from} to every member;
//                                                 the sender's copy also has its requestId
// A request that cannot be done gets chatError {status, code, requestId} (Roomlog's codes).
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");
const { Server } = require("socket.io");

const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
const host = process.argv[3] ?? process.env.HOST ?? "127.0.0.1";

const httpServer = http.createServer();
const io = new Server(httpServer, {
  transports: ["websocket"], // the generator connects straight with transport=websocket
  perMessageDeflate: false, // as Roomlog's default
  serveClient: false,
});

io.on("connection", (socket) => {
  const fail = (status, code, requestId) => socket.emit("chatError", { status, code, requestId });

  const enter = (answer, roomId, username, requestId) => {
    if (typeof roomId !== "string" || typeof username !== "string") {
      return fail(400, "missingField", requestId);
    }
    socket.data.username = username;
    socket.join(roomId);
    socket.emit(answer, { roomId, requestId });
  };

  socket.on("createRoom", (request) => {
    const { roomId = `r-${crypto.randomUUID()}`, username, requestId } = request ?? {};
    if (io.of("/").adapter.rooms.has(roomId)) {
      return fail(409, "roomExists", requestId);
    }
    enter("roomCreated", roomId, username, requestId);
  });

  socket.on("joinRoom", (request) => {
    const { roomId, username, requestId } = request ?? {};
    if (socket.rooms.has(roomId)) {
      return fail(409, "alreadyMember", requestId);
    }
    enter("joined", roomId, username, requestId);
  });

  socket.on("sendMessage", (request) => {
    const { roomId, text, requestId } = request ?? {};
    if (!socket.rooms.has(roomId)) {
      return fail(403, "notMember", requestId);
    }
    const message = { roomId, text, from: socket.data.username };
    socket.to(roomId).emit("message", message); // every other member; encoded once for all
    socket.emit("message", { ...message, requestId }); // the sender's copy answers its request
  });
});

httpServer.listen(port, host, () => {
  const { port: bound } = httpServer.address();
  const version = require("socket.io/package.json").version;
  console.log(
    `socket.io rooms server listening on ws://${host}:${bound}/socket.io/ ` +
      `(socket.io ${version}, node ${process.version})`,
  );
});
