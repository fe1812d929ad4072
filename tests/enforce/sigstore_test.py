"""Sigstore keyless verification through the modelgate binary (ctest -L enforce).

usage: sigstore_test.py MODELGATE SOURCE_DIR GROUP
GROUP: Keyless | KeylessTamper | KeylessReport | KeylessPublic
A test PKI is made here at run time with python3-cryptography: a fake Fulcio root and
intermediate, leaf certificates with the Fulcio identity extensions and an embedded SCT from a fake
CT log, a fake Rekor key signing entry timestamps and checkpoints, and a trusted_root.json naming
them. Hosts end in .invalid. KeylessPublic verifies the OMS spec's real public-good bundle
(MODELGATE_OMS_SPEC_DIR) against the public-good trusted root (MODELGATE_SIGSTORE_TRUSTED_ROOT) and
exits 77 (SKIP) without them.
"""
import base64
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MODELGATE, SOURCE, GROUP = sys.argv[1:4]
TMP = tempfile.mkdtemp(prefix="mg-sigstore-")
failures = []

IDENTITY = "signer@modelgate.invalid"
ISSUER = "https://oidc.modelgate.invalid"
# Thirty days ago: the leaf expired long since, so only a check at integratedTime can pass.
T = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=30)


def run(*args, expect=None):
    proc = subprocess.run([MODELGATE, *args], capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {proc.returncode}, expected {expect}\n{proc.stdout}{proc.stderr}")
    return proc


def check(cond, what):
    if not cond:
        failures.append(what)


def b64(b):
    return base64.b64encode(b).decode()


def sha256(b):
    return hashlib.sha256(b).digest()


def ec_key(curve=ec.SECP256R1):
    return ec.generate_private_key(curve())


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(key, data):
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def ca_cert(key, name, issuer_key=None, issuer_name=None, days=(-60, 60)):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "modelgate test")])
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(T + datetime.timedelta(days=days[0]))
         .not_valid_after(T + datetime.timedelta(days=days[1]))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer_key is None else 0), critical=True)
         .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True))
    return b.sign(issuer_key or key, hashes.SHA384())


def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xff])


class Pki:
    def __init__(self):
        self.root_key = ec_key(ec.SECP384R1)
        self.root = ca_cert(self.root_key, "fulcio test root")
        self.inter_key = ec_key(ec.SECP384R1)
        self.inter = ca_cert(self.inter_key, "fulcio test intermediate", self.root_key, self.root.subject)
        self.rekor_key = ec_key()
        self.ct_key = ec_key()


def leaf_cert(pki, signer_key, issuer_key, issuer_cert, identity=IDENTITY, issuer=ISSUER, uri=False, ct_key=None, sct=True,
              not_before=T):
    def builder():
        san = x509.UniformResourceIdentifier(identity) if uri else x509.RFC822Name(identity)
        iss = issuer.encode()
        return (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(issuer_cert.subject)
                .public_key(signer_key.public_key()).serial_number(0x5157)
                .not_valid_before(not_before).not_valid_after(not_before + datetime.timedelta(minutes=10))
                .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
                .add_extension(x509.SubjectAlternativeName([san]), critical=True)
                .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1"), iss), critical=False)
                .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8"),
                                                          b"\x0c" + der_len(len(iss)) + iss), critical=False))
    if not sct:
        return builder().sign(issuer_key, hashes.SHA384())
    # RFC 6962 precertificate: the SCT signs the TBS without the SCT extension (added last here).
    pre = builder().sign(issuer_key, hashes.SHA384())
    tbs = pre.tbs_certificate_bytes
    ct = ct_key or pki.ct_key
    ts = int((not_before + datetime.timedelta(seconds=1)).timestamp() * 1000)
    issuer_key_hash = sha256(issuer_cert.public_key().public_bytes(serialization.Encoding.DER,
                                                                    serialization.PublicFormat.SubjectPublicKeyInfo))
    signed = (b"\x00\x00" + ts.to_bytes(8, "big") + b"\x00\x01" + issuer_key_hash + len(tbs).to_bytes(3, "big") + tbs + b"\x00\x00")
    sig = sign(ct, signed)
    one = b"\x00" + sha256(spki(ct)) + ts.to_bytes(8, "big") + b"\x00\x00" + b"\x04\x03" + len(sig).to_bytes(2, "big") + sig
    lst = len(one).to_bytes(2, "big") + one
    lst = (len(lst)).to_bytes(2, "big") + lst
    value = b"\x04" + der_len(len(lst)) + lst
    final = builder().add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), value), critical=False)
    return final.sign(issuer_key, hashes.SHA384())


def mth(leaves):
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def audit_path(m, leaves):
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return audit_path(m, leaves[:k]) + [mth(leaves[k:])]
    return audit_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def trust_root(pki, path, ca_end=None, extra_ca=None, rekor_key=None, ct_key=None):
    def window(start, end=None):
        w = {"start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        if end is not None:
            w["end"] = end.strftime("%Y-%m-%dT%H:%M:%SZ")
        return w

    def log(key, url):
        return {"baseUrl": url, "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": b64(spki(key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                              "validFor": window(T - datetime.timedelta(days=90))},
                "logId": {"keyId": b64(sha256(spki(key)))}}
    cas = [{"subject": {"organization": "modelgate test", "commonName": "fulcio"}, "uri": "https://fulcio.modelgate.invalid",
            "certChain": {"certificates": [{"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))} for c in (pki.inter, pki.root)]},
            "validFor": window(T - datetime.timedelta(days=60), ca_end)}]
    doc = {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
           "tlogs": [log(rekor_key or pki.rekor_key, "https://rekor.modelgate.invalid")],
           "certificateAuthorities": cas + (extra_ca or []),
           "ctlogs": [log(ct_key or pki.ct_key, "https://ctfe.modelgate.invalid")],
           "timestampAuthorities": []}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    return path


def model():
    dst = os.path.join(TMP, "model-" + str(len(os.listdir(TMP))))
    shutil.copytree(os.path.join(SOURCE, "examples", "remote-code-model"), dst)
    return dst


def keyless(pki, leaf=None, signer_key=None, integrated=None, body_payload=None, body_cert=None, tamper_set=False,
            tamper_proof=False, checkpoint_key=None, with_proof=True, with_set=True, rekor_key=None):
    """A model folder signed by `modelgate sign` with the leaf's key, rewritten into a keyless bundle."""
    signer_key = signer_key or ec_key()
    leaf = leaf or leaf_cert(pki, signer_key, pki.inter_key, pki.inter)
    d = model()
    key_pem = os.path.join(d + ".leaf.pem")
    with open(key_pem, "wb") as f:
        f.write(signer_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    sig = os.path.join(d, "model.sig")
    run("sign", d, "--key", key_pem, expect=0)
    with open(sig) as f:
        bundle = json.load(f)
    env = bundle["dsseEnvelope"]
    payload = base64.b64decode(env["payload"])
    rekor = rekor_key or pki.rekor_key
    body = {"apiVersion": "0.0.1", "kind": "dsse", "spec": {
        "envelopeHash": {"algorithm": "sha256", "value": hashlib.sha256(json.dumps(env).encode()).hexdigest()},
        "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(body_payload or payload).hexdigest()},
        "signatures": [{"signature": env["signatures"][0]["sig"],
                        "verifier": b64((body_cert or leaf).public_bytes(serialization.Encoding.PEM))}]}}
    body_bytes = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    body_b64 = b64(body_bytes)
    log_id = sha256(spki(rekor))
    integrated = integrated if integrated is not None else int(T.timestamp()) + 60
    log_index = 9000123
    set_payload = json.dumps({"body": body_b64, "integratedTime": integrated, "logID": log_id.hex(), "logIndex": log_index},
                             separators=(",", ":"), sort_keys=True).encode()
    set_sig = bytearray(sign(rekor, set_payload))
    if tamper_set:
        set_sig[-3] ^= 0x01
    leaves = [os.urandom(40) for _ in range(6)]
    index = 4
    leaves.insert(index, body_bytes)
    root_hash = mth(leaves)
    path = audit_path(index, leaves)
    if tamper_proof:
        path[1] = sha256(path[1])
    note = f"rekor.modelgate.invalid - 7001\n{len(leaves)}\n{b64(root_hash)}\n".encode()
    note_sig = sign(checkpoint_key or rekor, note)
    checkpoint = note.decode() + "\n\u2014 rekor.modelgate.invalid " + b64(log_id[:4] + note_sig) + "\n"
    entry = {"logIndex": str(log_index), "logId": {"keyId": b64(log_id)}, "kindVersion": {"kind": "dsse", "version": "0.0.1"},
             "integratedTime": str(integrated), "canonicalizedBody": body_b64}
    if with_set:
        entry["inclusionPromise"] = {"signedEntryTimestamp": b64(bytes(set_sig))}
    if with_proof:
        entry["inclusionProof"] = {"logIndex": str(index), "rootHash": b64(root_hash), "treeSize": str(len(leaves)),
                                   "hashes": [b64(h) for h in path], "checkpoint": {"envelope": checkpoint}}
    bundle["verificationMaterial"] = {"certificate": {"rawBytes": b64(leaf.public_bytes(serialization.Encoding.DER))},
                                      "tlogEntries": [entry]}
    with open(sig, "w") as f:
        json.dump(bundle, f, indent=2)
    return d, sig


def verify(d, sig, root, identity=IDENTITY, issuer=ISSUER, expect=0, *extra):
    return run("verify", d, "--signature", sig, "--trust-root", root, "--sigstore-identity", identity, "--sigstore-issuer", issuer,
               *extra, expect=expect)


# --- groups ---

def group_keyless():
    pki = Pki()
    root = trust_root(pki, os.path.join(TMP, "trusted_root.json"))
    d, sig = keyless(pki)
    proc = verify(d, sig, root)
    check(IDENTITY in proc.stdout and ISSUER in proc.stdout, f"signer named: {proc.stdout}")
    check("certificate transparency verified" in proc.stdout, f"SCT reported: {proc.stdout}")
    check((T + datetime.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ") in proc.stdout, f"signing time reported: {proc.stdout}")
    proc = run("verify", d, "--signature", sig, "--trust-root", root, "--sigstore-identity-regexp", r".*@modelgate\.invalid",
               "--sigstore-issuer", ISSUER, expect=0)
    run("verify", d, "--signature", sig, "--trust-root", root, "--sigstore-identity-regexp", r".*@example\.invalid",
        "--sigstore-issuer", ISSUER, expect=1)
    # Only a SET, no inclusion proof: still verifies (the SET is Rekor's promise).
    d2, sig2 = keyless(pki, with_proof=False)
    verify(d2, sig2, root)
    # A URI identity (workflow identities are URIs).
    k = ec_key()
    uri = "https://ci.modelgate.invalid/org/repo/.github/workflows/release.yml@refs/heads/main"
    d3, sig3 = keyless(pki, leaf=leaf_cert(pki, k, pki.inter_key, pki.inter, identity=uri, uri=True), signer_key=k)
    verify(d3, sig3, root, uri)
    # The files changed after signing: the signature holds, the drift is named, exit 1.
    with open(os.path.join(d, "layers.py"), "a") as f:
        f.write("# edit\n")
    proc = verify(d, sig, root, expect=1)
    check("layers.py" in proc.stdout and "changed" in proc.stdout, f"drift named: {proc.stdout}")
    # Usage and malformed input: exit 2.
    run("verify", d2, "--signature", sig2, "--trust-root", root, "--sigstore-issuer", ISSUER, expect=2)
    run("verify", d2, "--signature", sig2, "--trust-root", root, "--sigstore-identity", IDENTITY, expect=2)
    bad = os.path.join(TMP, "bad_root.json")
    for text in ("{", "[]", '{"mediaType": "application/json"}',
                 '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": 3}',
                 '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": [], "certificateAuthorities": []}'):
        with open(bad, "w") as f:
            f.write(text)
        verify(d2, sig2, bad, expect=2)
    with open(root) as f:
        doc = json.load(f)
    doc["certificateAuthorities"][0]["validFor"]["start"] = "yesterday"
    with open(bad, "w") as f:
        json.dump(doc, f)
    verify(d2, sig2, bad, expect=2)
    # A key bundle given to the keyless verifier is a usage error.
    d4 = model()
    kp = os.path.join(TMP, "plain.pem")
    with open(kp, "wb") as f:
        f.write(ec_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    run("sign", d4, "--key", kp, expect=0)
    proc = verify(d4, os.path.join(d4, "model.sig"), root, expect=2)
    check("not Sigstore keyless" in proc.stderr, f"key bundle refused: {proc.stderr}")


def group_keyless_tamper():
    pki = Pki()
    root = trust_root(pki, os.path.join(TMP, "trusted_root.json"))

    def fails(d, sig, needle, *, root=root, identity=IDENTITY, issuer=ISSUER):
        proc = verify(d, sig, root, identity, issuer, expect=1)
        check(needle in proc.stdout, f"expected '{needle}' in: {proc.stdout}{proc.stderr}")
        return proc

    d, sig = keyless(pki)
    proc = fails(d, sig, "identity mismatch", identity="someone@modelgate.invalid")
    check(IDENTITY in proc.stdout and "someone@modelgate.invalid" in proc.stdout, f"both identities named: {proc.stdout}")
    proc = fails(d, sig, "issuer mismatch", issuer="https://other-oidc.modelgate.invalid")
    check(ISSUER in proc.stdout and "other-oidc" in proc.stdout, f"both issuers named: {proc.stdout}")
    # A leaf from a CA that is not in the trust root.
    other_root_key = ec_key(ec.SECP384R1)
    other_root = ca_cert(other_root_key, "another root")
    k = ec_key()
    d2, sig2 = keyless(pki, leaf=leaf_cert(pki, k, other_root_key, other_root), signer_key=k)
    fails(d2, sig2, "not issued by a certificate authority in the trust root")
    # The CA's window in the trust root ended before the signing time.
    expired = trust_root(pki, os.path.join(TMP, "expired_root.json"), ca_end=T - datetime.timedelta(days=1))
    fails(d, sig, "does not trust that CA at the signing time", root=expired)
    # A tampered signed entry timestamp.
    d3, sig3 = keyless(pki, tamper_set=True)
    fails(d3, sig3, "signed entry timestamp does not verify")
    # The SET is valid (re-signed) but the entry records another envelope's payload, or another certificate.
    d4, sig4 = keyless(pki, body_payload=b'{"other": "statement"}')
    fails(d4, sig4, "not for this bundle")
    other_leaf = leaf_cert(pki, ec_key(), pki.inter_key, pki.inter)
    d4b, sig4b = keyless(pki, body_cert=other_leaf)
    fails(d4b, sig4b, "different signing certificate")
    # integratedTime (signed) outside the ten minutes the leaf was valid.
    d5, sig5 = keyless(pki, integrated=int(T.timestamp()) + 3600)
    fails(d5, sig5, "not valid at the signing time")
    d5b, sig5b = keyless(pki, integrated=int(T.timestamp()) - 60)
    fails(d5b, sig5b, "not valid at the signing time")
    # Inclusion proof and checkpoint.
    d6, sig6 = keyless(pki, tamper_proof=True)
    fails(d6, sig6, "inclusion proof does not lead")
    d7, sig7 = keyless(pki, checkpoint_key=ec_key())
    fails(d7, sig7, "checkpoint is not signed by the log's key")
    # A log the trust root does not know.
    d8, sig8 = keyless(pki, rekor_key=ec_key())
    fails(d8, sig8, "log not in the trust root")
    # No SET: the time is not authenticated (no RFC 3161 support).
    d9, sig9 = keyless(pki, with_set=False)
    fails(d9, sig9, "integratedTime is unverified")
    # SCTs: missing, and from a CT log not in the trust root.
    k = ec_key()
    d10, sig10 = keyless(pki, leaf=leaf_cert(pki, k, pki.inter_key, pki.inter, sct=False), signer_key=k)
    fails(d10, sig10, "no embedded SCT")
    k = ec_key()
    d11, sig11 = keyless(pki, leaf=leaf_cert(pki, k, pki.inter_key, pki.inter, ct_key=ec_key()), signer_key=k)
    fails(d11, sig11, "SCT")
    # The envelope's signature made by another key than the leaf's.
    d12, sig12 = keyless(pki, leaf=leaf_cert(pki, ec_key(), pki.inter_key, pki.inter))
    fails(d12, sig12, "does not verify")
    # A statement edited after signing (its signature no longer holds; the log entry's hash differs too).
    with open(sig) as f:
        b = json.load(f)
    p = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
    p["predicate"]["resources"] = p["predicate"]["resources"][:1]
    b["dsseEnvelope"]["payload"] = b64(json.dumps(p).encode())
    with open(sig, "w") as f:
        json.dump(b, f)
    fails(d, sig, "not for this bundle")


def group_keyless_report():
    pki = Pki()
    d, _ = keyless(pki)
    proc = run("scan", "--quiet", "--format", "json", "--fail-on", "none", d, expect=0)
    i = json.loads(proc.stdout)["targets"][0]["integrity"]
    check(i["method"] == "sigstore" and i["identity"] == IDENTITY and i["issuer"] == ISSUER and i["signature_valid"] is True
          and i["files_match"] is True, f"keyless integrity: {i}")
    check(IDENTITY in i["signer"], f"signer names the identity: {i}")
    proc = run("scan", "--quiet", "--fail-on", "none", d, expect=0)
    check("signed" in proc.stdout and IDENTITY in proc.stdout and ISSUER in proc.stdout, f"text report integrity: {proc.stdout}")
    check("not verified" in proc.stdout, f"text report says the scan does not verify trust: {proc.stdout}")


def group_keyless_public():
    # The OMS spec's valid/sigstore vector is a real bundle signed through the public-good
    # instance; the public-good trusted_root.json ships with sigstore-python. Neither is copied in.
    spec = os.environ.get("MODELGATE_OMS_SPEC_DIR", "")
    vector = os.path.join(spec, "test-vectors", "v1.0", "valid", "sigstore.bundle.json")
    root = os.environ.get("MODELGATE_SIGSTORE_TRUSTED_ROOT", "")
    if not spec or not os.path.isfile(vector) or not root or not os.path.isfile(root):
        print("SKIP: needs MODELGATE_OMS_SPEC_DIR (a checkout of ossf/model-signing-spec) and MODELGATE_SIGSTORE_TRUSTED_ROOT "
              "(the public-good trusted_root.json, e.g. sigstore-python's sigstore/_store/https%3A%2F%2Ftuf-repo-cdn.sigstore.dev/)")
        sys.exit(77)
    identity, issuer = "stefanb@us.ibm.com", "https://sigstore.verify.ibm.com/oauth2"  # what the vector's certificate names
    d = os.path.join(TMP, "public")
    os.makedirs(d)
    shutil.copy(vector, os.path.join(d, "model.sig"))
    # The model files are absent: the signature must verify, and then every file is missing (exit 1).
    proc = verify(d, os.path.join(d, "model.sig"), root, identity, issuer, expect=1)
    check(f"signature by {identity}" in proc.stdout and "missing" in proc.stdout, f"public bundle verifies: {proc.stdout}")
    check("certificate transparency verified" in proc.stdout, f"public SCT verified: {proc.stdout}")
    proc = verify(d, os.path.join(d, "model.sig"), root, "someone@example.invalid", issuer, expect=1)
    check("identity mismatch" in proc.stdout, f"public bundle, wrong identity: {proc.stdout}")
    print(proc.stdout)


GROUPS = {"Keyless": group_keyless, "KeylessTamper": group_keyless_tamper, "KeylessReport": group_keyless_report,
          "KeylessPublic": group_keyless_public}

try:
    GROUPS[GROUP]()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"{GROUP}: ok")
