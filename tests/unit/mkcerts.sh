#!/bin/sh
# SPDX-License-Identifier: ISC
# Makes the test certificates for test-tlsverify in DIR with openssl(1):
# a CA and an intermediate, leaves signed by them (good, expired, revoked,
# SHA-1, client-only, wrong name), a self-signed leaf, a CRL, and each
# certificate's SHA-256 fingerprint as openssl prints it.  Exits 77 when
# openssl is missing so the test can skip.
set -eu

dir=${1:?usage: mkcerts.sh DIR}
command -v openssl >/dev/null 2>&1 || { echo "openssl not found" >&2; exit 77; }

# The user's own openssl.cnf must not change what we make.
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

w=$dir/work
mkdir -p "$w/newcerts"
: >"$w/index.txt"
echo 1000 >"$w/serial"

cat >"$w/openssl.cnf" <<EOF
[ req ]
distinguished_name	= req_dn
prompt			= no
[ req_dn ]
CN			= unused
[ ca ]
default_ca		= test_ca
[ test_ca ]
dir			= $w
database		= $w/index.txt
new_certs_dir		= $w/newcerts
serial			= $w/serial
default_md		= sha256
default_days		= 3650
default_crl_days	= 3650
policy			= any
unique_subject		= no
copy_extensions		= none
[ any ]
commonName		= supplied
[ v3_ca ]
basicConstraints	= critical, CA:TRUE
keyUsage		= critical, keyCertSign, cRLSign
subjectKeyIdentifier	= hash
[ v3_server ]
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature
extendedKeyUsage	= serverAuth
subjectAltName		= IP:127.0.0.1, DNS:localhost, IP:::1
subjectKeyIdentifier	= hash
authorityKeyIdentifier	= keyid
[ v3_other ]
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature
extendedKeyUsage	= serverAuth
subjectAltName		= DNS:other.example, DNS:www.other.example
subjectKeyIdentifier	= hash
authorityKeyIdentifier	= keyid
[ v3_client ]
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature
extendedKeyUsage	= clientAuth
subjectAltName		= IP:127.0.0.1
subjectKeyIdentifier	= hash
authorityKeyIdentifier	= keyid
[ v3_self ]
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature
extendedKeyUsage	= serverAuth
subjectAltName		= IP:127.0.0.1
subjectKeyIdentifier	= hash
EOF

cnf=$w/openssl.cnf

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$w/$1.key" 2>/dev/null
}

# sign NAME SUBJECT-CN EXTENSIONS [CA] [extra openssl ca options…]
sign() {
	name=$1 cn=$2 ext=$3 ca=$4
	shift 4
	key "$name"
	openssl req -new -config "$cnf" -key "$w/$name.key" -subj "/CN=$cn" \
	    -out "$w/$name.csr"
	openssl ca -batch -notext -config "$cnf" -extensions "$ext" \
	    -cert "$dir/$ca.pem" -keyfile "$w/$ca.key" \
	    -in "$w/$name.csr" -out "$dir/$name.pem" "$@" 2>/dev/null
}

key ca
openssl req -new -x509 -config "$cnf" -extensions v3_ca -key "$w/ca.key" \
    -subj "/CN=sagi test CA" -days 3650 -sha256 -out "$dir/ca.pem"

sign inter "sagi test intermediate" v3_ca ca
sign good "sagi test server" v3_server ca
sign viainter "sagi test server via intermediate" v3_server inter
sign other "sagi other.example" v3_other ca
sign client "sagi client only" v3_client ca
sign sha1 "sagi sha1 server" v3_server ca -md sha1
sign revoked "sagi revoked server" v3_server ca
sign expired "sagi expired server" v3_server ca \
    -startdate 20000101000000Z -enddate 20010101000000Z

key self
openssl req -new -x509 -config "$cnf" -extensions v3_self -key "$w/self.key" \
    -subj "/CN=sagi self-signed" -days 3650 -sha256 -out "$dir/self.pem"

openssl ca -batch -config "$cnf" -cert "$dir/ca.pem" -keyfile "$w/ca.key" \
    -revoke "$dir/revoked.pem" 2>/dev/null
openssl ca -batch -config "$cnf" -cert "$dir/ca.pem" -keyfile "$w/ca.key" \
    -gencrl -out "$dir/crl.pem" 2>/dev/null
cat "$dir/ca.pem" "$dir/crl.pem" >"$dir/ca-crl.pem"

for c in ca inter good viainter other client sha1 revoked expired self; do
	openssl x509 -in "$dir/$c.pem" -outform DER -out "$dir/$c.der"
	# "sha256 Fingerprint=AB:CD:…" (the label's case varies by version)
	openssl x509 -in "$dir/$c.pem" -noout -fingerprint -sha256 |
	    sed 's/^.*=//' >"$dir/$c.fp"
done

rm -rf "$w"
