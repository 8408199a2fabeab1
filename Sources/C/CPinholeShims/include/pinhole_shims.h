// Forwarders for C macros and variadic functions that Swift cannot call directly.
// Each is named after the C symbol it wraps, with the `pinhole_` prefix.
#ifndef PINHOLE_SHIMS_H
#define PINHOLE_SHIMS_H

#include <vpx/vpx_encoder.h>
#include <opus/opus.h>
#include <openssl/ssl.h>
#include <openssl/evp.h>
#include <linux/videodev2.h>
#include <alsa/asoundlib.h>
// malloc_trim (glibc), which Swift's Glibc module leaves out.
#include <malloc.h>

// vpx_codec_enc_init is a macro that passes the ABI version.
vpx_codec_err_t pinhole_vpx_codec_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg);
// vpx_codec_control is a type-checked variadic macro; VP8 controls used take an int.
vpx_codec_err_t pinhole_vpx_codec_control_int(vpx_codec_ctx_t *ctx, int id, int value);

// opus_encoder_ctl is variadic; every request we use takes one opus_int32.
int pinhole_opus_encoder_ctl_int(OpusEncoder *enc, int request, opus_int32 value);

// DTLS_set_link_mtu, DTLSv1_get_timeout and DTLSv1_handle_timeout are SSL_ctrl macros.
long pinhole_DTLS_set_link_mtu(SSL *ssl, long mtu);
// Microseconds until the DTLS retransmission timer fires, or -1 when none is armed.
long long pinhole_DTLSv1_get_timeout_us(SSL *ssl);
int pinhole_DTLSv1_handle_timeout(SSL *ssl);
// EVP_EC_gen is a macro over the variadic EVP_PKEY_Q_keygen.
EVP_PKEY *pinhole_EVP_EC_gen(const char *curve);
// BIO_set_retry_read and BIO_clear_retry_flags are macros.
void pinhole_BIO_set_retry_read(BIO *bio);
void pinhole_BIO_clear_retry_flags(BIO *bio);

// VIDIOC_* request numbers are _IOWR macros; v4l2_ioctl (libv4l2, which also converts formats
// the encoder cannot take, e.g. MJPEG and Bayer) is variadic.
int pinhole_v4l2_ioctl(int fd, unsigned long request, void *arg);
extern const unsigned long pinhole_VIDIOC_QUERYCAP, pinhole_VIDIOC_ENUM_FMT, pinhole_VIDIOC_G_FMT,
    pinhole_VIDIOC_S_FMT, pinhole_VIDIOC_S_PARM, pinhole_VIDIOC_G_PARM, pinhole_VIDIOC_REQBUFS,
    pinhole_VIDIOC_QUERYBUF, pinhole_VIDIOC_QBUF, pinhole_VIDIOC_DQBUF, pinhole_VIDIOC_STREAMON,
    pinhole_VIDIOC_STREAMOFF, pinhole_VIDIOC_ENUM_FRAMESIZES, pinhole_VIDIOC_ENUM_FRAMEINTERVALS;
// v4l2_open is variadic (an optional mode).
int pinhole_v4l2_open(const char *path, int flags);

// ALSA prints every error to stderr through a variadic handler; route them nowhere (errors are
// returned and logged by the caller).
void pinhole_snd_lib_error_silence(void);

#endif
