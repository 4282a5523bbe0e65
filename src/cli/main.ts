// Placeholder until the CLI lands in this change.
console.log('switchboard');
