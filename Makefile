# tcplab: TCP is not always reliable, shown with real sockets in Java notebooks.
# Two commands do all set-up on a fresh machine:  make lab   and   make test
.PHONY: lab test setup lib run html student notebooks pristine browser bench stress kernel-check clean help capture-for-students hub hub-stop hub-test classroom

help:
	@echo "make lab    set up what is missing, build lib/, serve the notebooks (127.0.0.1, with a token; log in build/lab.log)"
	@echo "make lab STUDENT=1  the same, serving the student handout (build/student/notebooks, no answers)"
	@echo "make lab LANG=zh    the Chinese edition (中文版, notebooks/zh); default: the system locale (zh* opens it)"
	@echo "make test   set up, build lib/ with its unit tests, execute every notebook of both editions headless, and in headless Chromium as tcplab-student"
	@echo "make run    executed copies of the notebooks in build/executed/"
	@echo "make html   execute every notebook (both editions) and write HTML pages + build/index.html linking both"
	@echo "make student  handout that runs as is: build/student/ (notebooks and notebooks/zh without answers + jars) and build/tcplab-student.zip"
	@echo "make notebooks  rebuild notebooks/*.ipynb and notebooks/zh/*.ipynb from notebooks/src/*.md and notebooks/src/zh/*.md (edit the .md, not the .ipynb)"
	@echo "make pristine  restore notebooks/ as the sources build them (your edited copies are kept in build/)"
	@echo "make browser  headless Chromium runs notebook 00 (NOTEBOOK=zh/02-crashed-receiver.ipynb: another) in the served UI; screenshot in build/browser/"
	@echo "make bench  every scenario 100 times: outcome determinism, median and max wall time"
	@echo "make stress every cell re-run 50 times (leak check) and 10 suites at once (concurrency)"
	@echo "make kernel-check  KERNEL_STARTS (50) fresh kernels through the Notebook server answer within 5 s; the stop button ends cells"
	@echo "make clean  remove build output (lib/target, build/)"
	@echo "sudo make hub  a JupyterHub for a class on this machine (127.0.0.1:8017; CLASS=tools/hub/class.txt; HUB_IP, HUB_PORT); sudo make hub-stop"
	@echo "sudo make hub-test  the hub's test (a student's login, server and notebook 02 through the APIs; isolation; leftovers)"
	@echo "sudo make classroom  load test: CLASS_SIZE (30) students at once with notebooks 02 and 03, then STEPS (45,60) while memory < 80 %"
	@echo "sudo make capture-for-students  one-time admin step: packets for group tcplab without root (STUDENTS=\"a b\")"

# The edition make lab opens: LANG given here (make lab LANG=zh, or zh_CN.UTF-8: anything starting with zh opens
# notebooks/zh, 中文版), else the system locale (LC_ALL, LC_MESSAGES, LANG).
LAB_LANG = $(if $(filter command line,$(origin LANG)),$(LANG),$(or $(LC_ALL),$(LC_MESSAGES),$(LANG)))

lab:
	@TCPLAB_HANDOUT=$(STUDENT) TCPLAB_LANG=$(LAB_LANG) tools/lab.sh lab

test:
	@tools/lab.sh test

setup:
	@tools/lab.sh setup

lib:
	@tools/lab.sh lib

run:
	@tools/lab.sh run

html:
	@tools/lab.sh html

student:
	@tools/lab.sh student

notebooks:
	@tools/lab.sh notebooks

pristine:
	@tools/lab.sh pristine

clean:
	rm -rf lib/target build

browser:
	@tools/lab.sh browser

bench:
	@tools/lab.sh bench

stress:
	@tools/lab.sh stress

# One-time administrator step where user namespaces are not available: a lab-private tcpdump with file
# capabilities for group tcplab (tools/setup/capture-for-students.sh; --remove undoes it).
capture-for-students:
	@STUDENTS="$(STUDENTS)" tools/setup/capture-for-students.sh

kernel-check:
	@tools/lab.sh kernel-check

# A class on this machine (as root, Debian route): Debian's JupyterHub on 127.0.0.1:8017 for the accounts of
# CLASS (tools/hub/class.txt shows the format); README, Teaching a class.
hub:
	@CLASS="$(CLASS)" tools/lab.sh hub

hub-stop:
	@tools/lab.sh hub-stop

# make hub's test: a student's login, server and notebook through the hub's APIs; isolation; nothing left.
hub-test:
	@tools/lab.sh hub-test

# The load test (long; not in make test): CLASS_SIZE students (30) at once, then STEPS (45,60) while memory allows.
classroom:
	@tools/lab.sh classroom
