from string import Template
Template("$x")
