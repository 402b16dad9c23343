// Start the API and stop it cleanly on SIGTERM (docker stop) or SIGINT (Ctrl+C).
import http from 'node:http';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const server = http.createServer(createApp());

server.listen(port, '0.0.0.0', () => {
  console.log(`node-api listening on port ${port}`);
});

function shutdown(signal) {
  console.log(`${signal} received: closing the server`);
  // Finish the requests in flight, refuse new ones, then exit 0.
  server.close(() => {
    console.log('server closed, bye');
    process.exit(0);
  });
  server.closeIdleConnections();
  // Do not wait forever for slow clients: Docker would SIGKILL us after 10 s anyway.
  setTimeout(() => process.exit(1), 5000).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
