// One interface over libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm) and 2.x (Debian 13,
// Raspberry Pi OS trixie), chosen at compile time by the header found. Levels are physical:
// active-low is applied by the caller, so both APIs behave alike.
#ifndef PINHOLE_GPIO_H
#define PINHOLE_GPIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct pinhole_gpio_chip pinhole_gpio_chip;
typedef struct pinhole_gpio_line pinhole_gpio_line;

enum pinhole_gpio_bias {
    PINHOLE_GPIO_BIAS_AS_IS = 0,
    PINHOLE_GPIO_BIAS_DISABLED = 1,
    PINHOLE_GPIO_BIAS_PULL_UP = 2,
    PINHOLE_GPIO_BIAS_PULL_DOWN = 3,
};

// 1 for libgpiod 1.x, 2 for 2.x.
int pinhole_gpio_api_major(void);

// NULL with errno set when the chip does not open.
pinhole_gpio_chip *pinhole_gpio_chip_open(const char *path);
void pinhole_gpio_chip_close(pinhole_gpio_chip *chip);
// Copies the chip's name and label (truncated to fit); returns the number of lines, -1 on error.
int pinhole_gpio_chip_describe(pinhole_gpio_chip *chip, char *name, size_t name_size, char *label, size_t label_size);
// Copies the line's name and consumer ("" for none); 0, or -1 on error.
int pinhole_gpio_line_describe(pinhole_gpio_chip *chip, unsigned offset, char *name, size_t name_size,
                               char *consumer, size_t consumer_size);
// The offset of the line with this name, or -1.
int pinhole_gpio_find_line(pinhole_gpio_chip *chip, const char *name);

// An input watched for both edges. debounce_us is asked of the kernel where the API can
// (2.x); *kernel_debounce tells whether it was. NULL with errno set on failure (EBUSY: in use).
pinhole_gpio_line *pinhole_gpio_request_input(const char *path, unsigned offset, const char *consumer,
                                              int bias, unsigned debounce_us, int *kernel_debounce);
pinhole_gpio_line *pinhole_gpio_request_output(const char *path, unsigned offset, const char *consumer, int value);
// The descriptor that becomes readable when an edge event is pending.
int pinhole_gpio_line_fd(pinhole_gpio_line *line);
// Reads one pending edge: 0 with *rising and *timestamp_ns (CLOCK_MONOTONIC) set, -1 on error.
int pinhole_gpio_read_edge(pinhole_gpio_line *line, int *rising, uint64_t *timestamp_ns);
// The physical level, 0 or 1; -1 on error.
int pinhole_gpio_get(pinhole_gpio_line *line);
int pinhole_gpio_set(pinhole_gpio_line *line, int value);
void pinhole_gpio_release(pinhole_gpio_line *line);

#endif
