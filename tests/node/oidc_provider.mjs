// A real OpenID Connect provider for the single sign-on tests: the certified `oidc-provider` package, with its
// development login pages (any password is accepted; the login names the account). Run by
// tests/e2e/test_e2e__sso_oidc.py as:  node oidc_provider.mjs '<json>'
// where the JSON gives {port, client_id, client_secret, redirect_uris, accounts: {login: {email, name}}}.
// A login outside `accounts` is still an account of the provider (sub = the login, email <login>@elsewhere.example):
// someone the identity provider knows and shenpi's directory does not.
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  cookies: { keys: ['shenpi-tests-only'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const known = config.accounts[id];
    const claims = known ? { email: known.email, name: known.name } : { email: `${id}@elsewhere.example`, name: id };
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...claims }; } };
  },
});

provider.listen(config.port, '127.0.0.1', () => { console.log(`ready ${issuer}`); });
