/**
 * The application protocol of a port when the values leave `protocol` out, by Istio's port-name
 * convention `<protocol>[-<suffix>]`: Istio reads the name's first `-` segment (pkg/config/kube/
 * conversion.go, ConvertProtocol; https://istio.io/latest/docs/ops/configuration/traffic-management/
 * protocol-selection/#explicit-protocol-selection). fleetchart renders the result as appProtocol,
 * which Istio reads before the name, so the name and the rendered protocol never disagree.
 */
export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'tls';

/** Istio's protocols by port-name prefix, as fleetchart renders them. */
const BY_NAME_PREFIX: Readonly<Record<string, PortProtocol>> = {
  http: 'http',
  http2: 'http2',
  grpc: 'grpc',
  tcp: 'tcp',
  tls: 'tls',
  // "https: TLS encrypted data. Because the sidecar does not decrypt TLS traffic, this is the same as tls."
  https: 'tls',
  // Experimental in Istio (off unless pilot enables them): "if not enabled, treated as opaque TCP".
  mongo: 'tcp',
  mysql: 'tcp',
  redis: 'tcp',
};

/** Prefixes Istio knows that fleetchart cannot render faithfully: the values must say what they mean. */
const AMBIGUOUS: Readonly<Record<string, string>> = {
  'grpc-web': `Istio treats 'grpc-web' as HTTP/2, but gRPC-Web clients are browsers speaking HTTP/1.1; set protocol: 'http' or 'http2'`,
  udp: `fleetchart renders TCP ports only and Istio does not proxy UDP; rename the port or remove it`,
};

/** The protocol a port name implies by Istio's convention, or undefined when the name implies none. */
export function protocolFromName(name: string): PortProtocol | { ambiguous: string } | undefined {
  if (name === 'grpc-web' || name.startsWith('grpc-web-')) return { ambiguous: AMBIGUOUS['grpc-web'] };
  const prefix = name.split('-')[0];
  if (prefix in AMBIGUOUS) return { ambiguous: AMBIGUOUS[prefix] };
  return BY_NAME_PREFIX[prefix];
}
