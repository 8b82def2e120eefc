// Manifests several tests build: one place, so the tests stay about behaviour.

/** The incident's Deployment "echo" (label app: echo); `ports` is the YAML of its port items, indented 12. */
export function echoDeployment(ports: string, opts: { namespace?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
${opts.namespace ? `  namespace: ${opts.namespace}\n` : ''}spec:
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
      containers:
        - name: echo
          image: ghcr.io/example/echo:1.0.0
          ports:
${ports}`;
}
