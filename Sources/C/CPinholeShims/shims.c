#include "pinhole_shims.h"
#include <vpx/vp8cx.h>
#include <libv4l2.h>

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

int pinhole_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
int pinhole_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }

const unsigned long pinhole_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
const unsigned long pinhole_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
const unsigned long pinhole_VIDIOC_G_FMT = VIDIOC_G_FMT;
const unsigned long pinhole_VIDIOC_S_FMT = VIDIOC_S_FMT;
const unsigned long pinhole_VIDIOC_S_PARM = VIDIOC_S_PARM;
const unsigned long pinhole_VIDIOC_G_PARM = VIDIOC_G_PARM;
const unsigned long pinhole_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
const unsigned long pinhole_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
const unsigned long pinhole_VIDIOC_QBUF = VIDIOC_QBUF;
const unsigned long pinhole_VIDIOC_DQBUF = VIDIOC_DQBUF;
const unsigned long pinhole_VIDIOC_STREAMON = VIDIOC_STREAMON;
const unsigned long pinhole_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;
const unsigned long pinhole_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
const unsigned long pinhole_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;

static void pinhole_snd_silent(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}
void pinhole_snd_lib_error_silence(void) { snd_lib_error_set_handler(pinhole_snd_silent); }
