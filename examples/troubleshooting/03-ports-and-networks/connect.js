// Connects to the host and port given as arguments, as an app's database client does first,
// and says what happened: "connected to HOST:PORT", or the error an app would print.
const net = require("node:net");

const [host, port] = process.argv.slice(2);
net
  .connect(Number(port), host)
  .on("connect", () => {
    console.log(`connected to ${host}:${port}`);
    process.exit(0);
  })
  .on("error", (error) => {
    console.error(`Error: ${error.message}`);
    process.exit(1);
  });
