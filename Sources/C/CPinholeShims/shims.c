#include "pinhole_shims.h"
#include <vpx/vp8cx.h>

vpx_codec_err_t pinhole_vpx_codec_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg) {
    return vpx_codec_enc_init(ctx, vpx_codec_vp8_cx(), cfg, 0);
}

vpx_codec_err_t pinhole_vpx_codec_control_int(vpx_codec_ctx_t *ctx, int id, int value) {
    return vpx_codec_control_(ctx, id, value);
}

int pinhole_opus_encoder_ctl_int(OpusEncoder *enc, int request, opus_int32 value) {
    return opus_encoder_ctl(enc, request, value);
}

long pinhole_DTLS_set_link_mtu(SSL *ssl, long mtu) {
    return DTLS_set_link_mtu(ssl, mtu);
}

long long pinhole_DTLSv1_get_timeout_us(SSL *ssl) {
    struct timeval tv;
    if (DTLSv1_get_timeout(ssl, &tv) != 1) return -1;
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int pinhole_DTLSv1_handle_timeout(SSL *ssl) {
    return (int)DTLSv1_handle_timeout(ssl);
}

EVP_PKEY *pinhole_EVP_EC_gen(const char *curve) {
    return EVP_EC_gen(curve);
}

void pinhole_BIO_set_retry_read(BIO *bio) { BIO_set_retry_read(bio); }
void pinhole_BIO_clear_retry_flags(BIO *bio) { BIO_clear_retry_flags(bio); }
