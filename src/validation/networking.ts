// DestinationRule and Gateway validation of istiod's webhook (pkg/config/validation/validation.go
// ValidateDestinationRule, ValidateGateway): the commonest refusals.

import { checkDuration, checkPort, Issues, wildcardDomainProblem } from './common.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function checkTrafficPolicy(issues: Issues, path: string, policy: unknown): void {
  if (!isObj(policy)) return;
  const tcp = isObj(policy.connectionPool) && isObj(policy.connectionPool.tcp) ? policy.connectionPool.tcp : {};
  checkDuration(issues, `${path}.connectionPool.tcp.connectTimeout`, tcp.connectTimeout);
  const http = isObj(policy.connectionPool) && isObj(policy.connectionPool.http) ? policy.connectionPool.http : {};
  checkDuration(issues, `${path}.connectionPool.http.idleTimeout`, http.idleTimeout);
  if (http.maxRetries !== undefined && Number(http.maxRetries) < 0) issues.error(`${path}.connectionPool.http.maxRetries`, 'max retries must be non-negative');
  const outlier = isObj(policy.outlierDetection) ? policy.outlierDetection : undefined;
  if (outlier) {
    checkDuration(issues, `${path}.outlierDetection.interval`, outlier.interval);
    checkDuration(issues, `${path}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime);
    const max = outlier.maxEjectionPercent;
    if (max !== undefined && (Number(max) < 0 || Number(max) > 100)) issues.error(`${path}.outlierDetection.maxEjectionPercent`, 'max ejection percent must be in the range [0, 100]');
  }
  arr(policy.portLevelSettings).forEach((p, i) => {
    if (!isObj(p)) return;
    if (!isObj(p.port)) issues.error(`${path}.portLevelSettings[${i}].port`, 'port traffic policy must have a port');
    else checkPort(issues, `${path}.portLevelSettings[${i}].port.number`, p.port.number);
    checkTrafficPolicy(issues, `${path}.portLevelSettings[${i}]`, p);
  });
}

export function validateDestinationRule(spec: Obj, issues: Issues): void {
  const host = typeof spec.host === 'string' ? spec.host : '';
  if (!host) issues.error('spec.host', 'host is required');
  else {
    const problem = wildcardDomainProblem(host);
    if (problem) issues.error('spec.host', problem);
  }
  checkTrafficPolicy(issues, 'spec.trafficPolicy', spec.trafficPolicy);
  const names = new Set<string>();
  arr(spec.subsets).forEach((s, i) => {
    if (!isObj(s)) return;
    const name = typeof s.name === 'string' ? s.name : '';
    if (!name) issues.error(`spec.subsets[${i}].name`, 'subset name is invalid: ""');
    else if (names.has(name)) issues.error(`spec.subsets[${i}].name`, `duplicate subset names: ${name}`);
    names.add(name);
    checkTrafficPolicy(issues, `spec.subsets[${i}].trafficPolicy`, s.trafficPolicy);
  });
}

export function validateGateway(spec: Obj, issues: Issues): void {
  const servers = arr(spec.servers);
  if (servers.length === 0) issues.error('spec.servers', 'gateway must have at least one server');
  servers.forEach((s, i) => {
    if (!isObj(s)) return issues.error(`spec.servers[${i}]`, 'server may not be null');
    const at = `spec.servers[${i}]`;
    const hosts = arr(s.hosts).map(String);
    if (hosts.length === 0) issues.error(`${at}.hosts`, 'server config must contain at least one host');
    hosts.forEach((h, j) => {
      const [ns, dns] = h.includes('/') ? h.split('/', 2) : ['', h];
      if (ns.includes('.') && ns !== '.') issues.error(`${at}.hosts[${j}]`, `namespace ${JSON.stringify(ns)} of host ${h} is not valid`);
      const problem = dns === '*' ? undefined : wildcardDomainProblem(dns);
      if (problem) issues.error(`${at}.hosts[${j}]`, problem);
    });
    if (!isObj(s.port)) issues.error(`${at}.port`, 'port is required');
    else {
      checkPort(issues, `${at}.port.number`, s.port.number);
      if (!s.port.protocol) issues.error(`${at}.port.protocol`, 'protocol must be set for a server port');
    }
  });
}
