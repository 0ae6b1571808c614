// Verifies one webhook delivery with the Standard Webhooks reference library (npm
// standardwebhooks), independently of the C# signer. Reads from stdin one JSON object:
//   { "secret": "whsec_...", "headers": { "webhook-id": ..., ... }, "body": "...", "now": <unix seconds> }
// "now" is the receiver's clock (the tests' fake clock), against which the library checks the
// timestamp's 5-minute tolerance. Prints {"ok":true,"payload":...} or {"ok":false,"error":...}.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  if (typeof request.now === "number") {
    Date.now = () => request.now * 1000;
  }
  try {
    const payload = new Webhook(request.secret).verify(request.body, request.headers);
    process.stdout.write(JSON.stringify({ ok: true, payload }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(error && error.message) }));
    process.exitCode = 1;
  }
});
