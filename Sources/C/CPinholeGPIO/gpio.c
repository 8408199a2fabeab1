#include "pinhole_gpio.h"

#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void copy(char *out, size_t size, const char *text) {
    if (size == 0) return;
    strncpy(out, text ? text : "", size - 1);
    out[size - 1] = '\0';
}

// Both APIs open and close a chip by path the same way.
struct pinhole_gpio_chip { struct gpiod_chip *chip; };

pinhole_gpio_chip *pinhole_gpio_chip_open(const char *path) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return NULL;
    pinhole_gpio_chip *result = malloc(sizeof *result);
    if (!result) { gpiod_chip_close(chip); errno = ENOMEM; return NULL; }
    result->chip = chip;
    return result;
}

void pinhole_gpio_chip_close(pinhole_gpio_chip *chip) {
    gpiod_chip_close(chip->chip);
    free(chip);
}

#ifdef GPIOD_LINE_BULK_MAX_LINES  // ---------------------------------------- libgpiod 1.x

struct pinhole_gpio_line { struct gpiod_chip *chip; struct gpiod_line *line; };

int pinhole_gpio_api_major(void) { return 1; }

int pinhole_gpio_chip_describe(pinhole_gpio_chip *chip, char *name, size_t name_size, char *label, size_t label_size) {
    copy(name, name_size, gpiod_chip_name(chip->chip));
    copy(label, label_size, gpiod_chip_label(chip->chip));
    return (int)gpiod_chip_num_lines(chip->chip);
}

int pinhole_gpio_line_describe(pinhole_gpio_chip *chip, unsigned offset, char *name, size_t name_size,
                               char *consumer, size_t consumer_size) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (!line) return -1;
    copy(name, name_size, gpiod_line_name(line));
    copy(consumer, consumer_size, gpiod_line_consumer(line));
    return 0;
}

int pinhole_gpio_find_line(pinhole_gpio_chip *chip, const char *name) {
    struct gpiod_line *line = gpiod_chip_find_line(chip->chip, name);
    return line ? (int)gpiod_line_offset(line) : -1;
}

static const int bias_flags[] = {
    [PINHOLE_GPIO_BIAS_AS_IS] = 0,
    [PINHOLE_GPIO_BIAS_DISABLED] = GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE,
    [PINHOLE_GPIO_BIAS_PULL_UP] = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP,
    [PINHOLE_GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN,
};

static pinhole_gpio_line *request(const char *path, unsigned offset, const char *consumer, int type, int flags, int value) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return NULL;
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    struct gpiod_line_request_config config = { .consumer = consumer, .request_type = type, .flags = flags };
    pinhole_gpio_line *result = line ? malloc(sizeof *result) : NULL;
    if (!result || gpiod_line_request(line, &config, value) != 0) {
        int saved = line ? errno : EINVAL;
        free(result);
        gpiod_chip_close(chip);
        errno = saved;
        return NULL;
    }
    result->chip = chip;
    result->line = line;
    return result;
}

pinhole_gpio_line *pinhole_gpio_request_input(const char *path, unsigned offset, const char *consumer,
                                              int bias, unsigned debounce_us, int *kernel_debounce) {
    (void)debounce_us;  // the 1.x API has no debounce setting
    *kernel_debounce = 0;
    if (bias < 0 || bias > PINHOLE_GPIO_BIAS_PULL_DOWN) { errno = EINVAL; return NULL; }
    return request(path, offset, consumer, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES, bias_flags[bias], 0);
}

pinhole_gpio_line *pinhole_gpio_request_output(const char *path, unsigned offset, const char *consumer, int value) {
    return request(path, offset, consumer, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT, 0, value);
}

int pinhole_gpio_line_fd(pinhole_gpio_line *line) { return gpiod_line_event_get_fd(line->line); }

int pinhole_gpio_read_edge(pinhole_gpio_line *line, int *rising, uint64_t *timestamp_ns) {
    struct gpiod_line_event event;
    if (gpiod_line_event_read(line->line, &event) != 0) return -1;
    *rising = event.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
    *timestamp_ns = (uint64_t)event.ts.tv_sec * 1000000000u + (uint64_t)event.ts.tv_nsec;
    return 0;
}

int pinhole_gpio_get(pinhole_gpio_line *line) { return gpiod_line_get_value(line->line); }
int pinhole_gpio_set(pinhole_gpio_line *line, int value) { return gpiod_line_set_value(line->line, value); }

void pinhole_gpio_release(pinhole_gpio_line *line) {
    gpiod_line_release(line->line);
    gpiod_chip_close(line->chip);
    free(line);
}

#else  // ------------------------------------------------------------------------ libgpiod 2.x

struct pinhole_gpio_line {
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *events;
    unsigned offset;
};

int pinhole_gpio_api_major(void) { return 2; }

int pinhole_gpio_chip_describe(pinhole_gpio_chip *chip, char *name, size_t name_size, char *label, size_t label_size) {
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    if (!info) return -1;
    copy(name, name_size, gpiod_chip_info_get_name(info));
    copy(label, label_size, gpiod_chip_info_get_label(info));
    int lines = (int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return lines;
}

int pinhole_gpio_line_describe(pinhole_gpio_chip *chip, unsigned offset, char *name, size_t name_size,
                               char *consumer, size_t consumer_size) {
    struct gpiod_line_info *info = gpiod_chip_get_line_info(chip->chip, offset);
    if (!info) return -1;
    copy(name, name_size, gpiod_line_info_get_name(info));
    copy(consumer, consumer_size, gpiod_line_info_get_consumer(info));
    gpiod_line_info_free(info);
    return 0;
}

int pinhole_gpio_find_line(pinhole_gpio_chip *chip, const char *name) {
    return gpiod_chip_get_line_offset_from_name(chip->chip, name);
}

static const enum gpiod_line_bias biases[] = {
    [PINHOLE_GPIO_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
    [PINHOLE_GPIO_BIAS_DISABLED] = GPIOD_LINE_BIAS_DISABLED,
    [PINHOLE_GPIO_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
    [PINHOLE_GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
};

static pinhole_gpio_line *request(const char *path, unsigned offset, const char *consumer,
                                  struct gpiod_line_settings *settings) {
    pinhole_gpio_line *result = NULL;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    int saved = ENOMEM;
    if (chip && line_config && request_config && (result = calloc(1, sizeof *result))) {
        gpiod_request_config_set_consumer(request_config, consumer);
        if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) == 0)
            result->request = gpiod_chip_request_lines(chip, request_config, line_config);
        result->events = gpiod_edge_event_buffer_new(1);
        result->offset = offset;
        saved = errno;
        if (!result->request || !result->events) {
            if (result->request) gpiod_line_request_release(result->request);
            gpiod_edge_event_buffer_free(result->events);
            free(result);
            result = NULL;
        }
    } else if (!chip) {
        saved = errno;
    }
    gpiod_request_config_free(request_config);
    gpiod_line_config_free(line_config);
    gpiod_line_settings_free(settings);
    if (chip) gpiod_chip_close(chip);  // a request outlives the chip handle it came from
    if (!result) errno = saved;
    return result;
}

pinhole_gpio_line *pinhole_gpio_request_input(const char *path, unsigned offset, const char *consumer,
                                              int bias, unsigned debounce_us, int *kernel_debounce) {
    *kernel_debounce = 0;
    if (bias < 0 || bias > PINHOLE_GPIO_BIAS_PULL_DOWN) { errno = EINVAL; return NULL; }
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (!settings) return NULL;
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
    gpiod_line_settings_set_bias(settings, biases[bias]);
    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    gpiod_line_settings_set_debounce_period_us(settings, debounce_us);
    pinhole_gpio_line *line = request(path, offset, consumer, settings);
    // The kernel debounces when the request with a period succeeded (uAPI v2).
    *kernel_debounce = line && debounce_us > 0;
    return line;
}

pinhole_gpio_line *pinhole_gpio_request_output(const char *path, unsigned offset, const char *consumer, int value) {
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (!settings) return NULL;
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
    gpiod_line_settings_set_output_value(settings, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    return request(path, offset, consumer, settings);
}

int pinhole_gpio_line_fd(pinhole_gpio_line *line) { return gpiod_line_request_get_fd(line->request); }

int pinhole_gpio_read_edge(pinhole_gpio_line *line, int *rising, uint64_t *timestamp_ns) {
    if (gpiod_line_request_read_edge_events(line->request, line->events, 1) != 1) return -1;
    struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(line->events, 0);
    *rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE;
    *timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
    return 0;
}

int pinhole_gpio_get(pinhole_gpio_line *line) {
    enum gpiod_line_value value = gpiod_line_request_get_value(line->request, line->offset);
    return value == GPIOD_LINE_VALUE_ERROR ? -1 : value == GPIOD_LINE_VALUE_ACTIVE;
}

int pinhole_gpio_set(pinhole_gpio_line *line, int value) {
    return gpiod_line_request_set_value(line->request, line->offset, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

void pinhole_gpio_release(pinhole_gpio_line *line) {
    gpiod_line_request_release(line->request);
    gpiod_edge_event_buffer_free(line->events);
    free(line);
}

#endif
