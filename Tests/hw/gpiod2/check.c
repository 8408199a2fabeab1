// Drives Pinhole's GPIO shim (Sources/C/CPinholeGPIO) built against libgpiod 2.x, in the lab VM
// on gpio-sim: chip description, line lookup by name, an input with kernel debounce, an output,
// and one edge event from a simulated press. Prints "ok" lines the host test checks.
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "pinhole_gpio.h"

static int fail(const char *what) {
    perror(what);
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/dev/gpiochip0";
    printf("api %d\n", pinhole_gpio_api_major());
    pinhole_gpio_chip *chip = pinhole_gpio_chip_open(path);
    if (!chip) return fail("chip_open");
    char name[64], label[64], line_name[64], consumer[64];
    int lines = pinhole_gpio_chip_describe(chip, name, sizeof name, label, sizeof label);
    printf("chip %s label %s lines %d\n", name, label, lines);
    int button = pinhole_gpio_find_line(chip, "button"), led = pinhole_gpio_find_line(chip, "led");
    if (button < 0 || led < 0) return fail("find_line");
    pinhole_gpio_line_describe(chip, (unsigned)button, line_name, sizeof line_name, consumer, sizeof consumer);
    printf("line %d %s\n", button, line_name);
    pinhole_gpio_chip_close(chip);

    int kernel = 0;
    pinhole_gpio_line *input = pinhole_gpio_request_input(path, (unsigned)button, "check", PINHOLE_GPIO_BIAS_AS_IS, 10000, &kernel);
    if (!input) return fail("request_input");
    printf("kernel debounce %d level %d\n", kernel, pinhole_gpio_get(input));
    pinhole_gpio_line *output = pinhole_gpio_request_output(path, (unsigned)led, "check", 1);
    if (!output) return fail("request_output");
    printf("ready\n");
    fflush(stdout);

    struct pollfd fd = { .fd = pinhole_gpio_line_fd(input), .events = POLLIN };
    if (poll(&fd, 1, 20000) != 1) return fail("poll: no edge within 20 s");
    int rising = 0;
    uint64_t timestamp = 0;
    if (pinhole_gpio_read_edge(input, &rising, &timestamp) != 0) return fail("read_edge");
    printf("edge rising %d timestamp %llu level %d\n", rising, (unsigned long long)timestamp, pinhole_gpio_get(input));
    if (pinhole_gpio_set(output, 0) != 0) return fail("set");
    pinhole_gpio_release(output);
    pinhole_gpio_release(input);
    printf("ok\n");
    return 0;
}
