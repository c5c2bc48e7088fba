// The peer of the SCIM benchmark (bench/run_scim.py): a minimal SCIM 2.0 service provider built
// the way the scimmy README shows it: scimmy resources with ingress/egress/degress handlers,
// mounted on express by scimmy-routers. Users and Groups live in memory (Maps), so the numbers
// are scimmy + express + Node's HTTP stack, with no database cost at all.
//
// Usage: node server.js --token T [--port 0] [--port-file F] [--cert cert.pem --key key.pem]
// With --cert/--key it serves HTTPS (the bench passes Atrium's own self-signed certificate so
// both servers pay the same TLS); without them, plain HTTP. Listens on 127.0.0.1 only.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

function options(argv) {
  const o = {port: 0, portFile: null, cert: null, key: null, token: null};
  for (let i = 2; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === "--port") o.port = Number(value);
    else if (name === "--port-file") o.portFile = value;
    else if (name === "--cert") o.cert = value;
    else if (name === "--key") o.key = value;
    else if (name === "--token") o.token = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!o.token) throw new Error("--token is required");
  return o;
}

const opts = options(process.argv);
const users = new Map();        // id -> stored user (plain JSON)
const userNames = new Map();    // lower-cased userName -> id (userName is case-insensitive, RFC 7643 §4.1.1)
const groups = new Map();       // id -> stored group (plain JSON, members as [{value}])
const groupNames = new Map();   // displayName -> id

const scimError = (status, type, detail) => new SCIMMY.Types.Error(status, type, detail);
// scimmy hands handlers its schema instances (getters over coerced values); the store keeps
// plain data so that what egress returns is not tied to one request's objects.
const plain = (instance) => JSON.parse(JSON.stringify(instance));
const now = () => new Date().toISOString();

// The filter every IdP sends before creating a user: `userName eq "…"`. Answered from the index;
// anything else goes through scimmy's generic Filter.match over all users.
function userNameEquals(filter) {
  if (!filter || filter.length !== 1) return undefined;
  const keys = Object.keys(filter[0]);
  if (keys.length !== 1 || keys[0].toLowerCase() !== "username") return undefined;
  const [op, value] = filter[0][keys[0]];
  return String(op).toLowerCase() === "eq" && typeof value === "string" ? value : undefined;
}

function found(map, id, kind) {
  const v = map.get(id);
  if (!v) throw scimError(404, null, `${kind} ${id} not found`);
  return v;
}

SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .ingress((resource, instance) => {
    const data = plain(instance);
    const key = data.userName.toLowerCase();
    const holder = userNames.get(key);
    if (holder !== undefined && holder !== resource.id)
      throw scimError(409, "uniqueness", `userName ${data.userName} is already taken`);
    if (resource.id) {
      const old = found(users, resource.id, "User");
      userNames.delete(old.userName.toLowerCase());
      const user = {...data, id: old.id, meta: {...old.meta, lastModified: now()}};
      users.set(user.id, user);
      userNames.set(key, user.id);
      return user;
    }
    const at = now();
    const user = {...data, id: crypto.randomUUID(), meta: {resourceType: "User", created: at, lastModified: at}};
    users.set(user.id, user);
    userNames.set(key, user.id);
    return user;
  })
  .egress((resource) => {
    if (resource.id) return found(users, resource.id, "User");
    const name = userNameEquals(resource.filter);
    if (name !== undefined) {
      const id = userNames.get(name.toLowerCase());
      return id === undefined ? [] : [users.get(id)];
    }
    const all = [...users.values()];
    return resource.filter ? resource.filter.match(all) : all;
  })
  .degress((resource) => {
    const user = found(users, resource.id, "User");
    users.delete(user.id);
    userNames.delete(user.userName.toLowerCase());
    for (const g of groups.values()) g.members = g.members.filter((m) => m.value !== user.id);
  });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, instance) => {
    const data = plain(instance);
    const holder = groupNames.get(data.displayName);
    if (holder !== undefined && holder !== resource.id)
      throw scimError(409, "uniqueness", `displayName ${data.displayName} is already taken`);
    // Members must exist, as in any real store (one Map lookup each).
    const members = (data.members ?? []).map((m) => ({value: m.value}));
    for (const m of members)
      if (!users.has(m.value) && !groups.has(m.value)) throw scimError(400, "invalidValue", `no member ${m.value}`);
    if (resource.id) {
      const old = found(groups, resource.id, "Group");
      groupNames.delete(old.displayName);
      const group = {...data, members, id: old.id, meta: {...old.meta, lastModified: now()}};
      groups.set(group.id, group);
      groupNames.set(group.displayName, group.id);
      return group;
    }
    const at = now();
    const group = {...data, members, id: crypto.randomUUID(), meta: {resourceType: "Group", created: at, lastModified: at}};
    groups.set(group.id, group);
    groupNames.set(group.displayName, group.id);
    return group;
  })
  .egress((resource) => {
    if (resource.id) return found(groups, resource.id, "Group");
    const all = [...groups.values()];
    return resource.filter ? resource.filter.match(all) : all;
  })
  .degress((resource) => {
    const group = found(groups, resource.id, "Group");
    groups.delete(group.id);
    groupNames.delete(group.displayName);
  });

const app = express();
app.disable("x-powered-by");
app.use("/scim/v2", new SCIMMYRouters({
  type: "bearer",
  handler: (req) => {
    if (req.header("Authorization") !== `Bearer ${opts.token}`) throw new Error("Authorization failed");
    return "bench";
  },
}));

const server = opts.cert
  ? https.createServer({cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key)}, app)
  : http.createServer(app);
// The load generator keeps its connections open between phases; Node's 5 s default would
// close them under it.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(opts.port, "127.0.0.1", () => {
  const port = server.address().port;
  if (opts.portFile) fs.writeFileSync(opts.portFile, String(port));
  console.log(`scimmy peer listening on ${opts.cert ? "https" : "http"}://127.0.0.1:${port}/scim/v2`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
