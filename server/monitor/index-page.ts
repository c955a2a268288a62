/** `/`: a page of links to the endpoints, as nats-server's monitoring root has. */

const LINKS: readonly (readonly [string, string])[] = [
  ["varz", "General"],
  ["connz", "Connections"],
  ["subsz", "Subscriptions"],
  ["routez", "Routes"],
  ["leafz", "LeafNodes"],
  ["gatewayz", "Gateways"],
  ["healthz", "Health Probe"],
  ["metrics", "Prometheus metrics"],
];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function indexPage(version: string): string {
  const links = LINKS.map(([path, label]) => `    <a href="./${path}">${label}</a>`).join("\n");
  return `<html lang="en">
  <head>
    <title>mq9 monitoring</title>
    <style>
      body { font-family: ui-sans-serif, system-ui, sans-serif; margin-left: 32px }
      a { display: block; padding-bottom: 6px }
    </style>
  </head>
  <body>
    <h1>mq9</h1>
    <p>NATS protocol ${escapeHtml(version)}</p>
${links}
    <a href="https://docs.nats.io/running-a-nats-service/nats_admin/monitoring">Help</a>
  </body>
</html>
`;
}
