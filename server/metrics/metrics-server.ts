// GET /metrics on its own small HTTP server (METRICS_PORT, bound to 127.0.0.1 by default), never on the public
// app: the figures name routes, operations and volumes that are for the operator's Prometheus only.
// Clustered (node:cluster primary): the primary serves every worker's registry aggregated through prom-client's
// AggregatorRegistry (counters and histograms summed, the database gauges and the breaker state as the largest
// worker's value); a worker then starts no server of its own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../platform/logger.ts';
import { registry } from './metrics.ts';

export interface MetricsServerOptions {
  port: number;
  host: string;
  /** true in the primary of a node:cluster start: serve AggregatorRegistry.clusterMetrics(). */
  clustered?: boolean;
  logger: Logger;
}

export interface MetricsServer {
  /** The port it listens on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const aggregator = opts.clustered ? new AggregatorRegistry() : undefined;
  const log = opts.logger.child({ component: 'metrics' });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    void (async () => {
      try {
        const body = aggregator ? await aggregator.clusterMetrics() : await registry.metrics();
        res.writeHead(200, { 'Content-Type': aggregator ? aggregator.contentType : registry.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        log.error({ err }, 'metrics.scrape_failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics could not be collected\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: opts.host, clustered: Boolean(opts.clustered), url: `http://${opts.host}:${port}/metrics` }, 'metrics.listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
