// Start the API and stop it cleanly on SIGTERM (docker stop) or SIGINT (Ctrl+C).
import http from 'node:http';
import { createApp } from './app.js';
import { createStore } from './store.js';

const port = Number(process.env.PORT ?? 3000);
// The data store's address comes from the environment: Compose sets REDIS_HOST to the service name.
const store = createStore({ host: process.env.REDIS_HOST ?? 'localhost', port: Number(process.env.REDIS_PORT ?? 6379) });
const server = http.createServer(createApp(store));

server.listen(port, '0.0.0.0', () => {
  console.log(`notes-api listening on port ${port}, data store ${process.env.REDIS_HOST ?? 'localhost'}`);
});

function shutdown(signal) {
  console.log(`${signal} received: closing the server`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 5000).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
